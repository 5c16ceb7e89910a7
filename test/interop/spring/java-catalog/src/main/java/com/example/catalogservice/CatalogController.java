package com.example.catalogservice;

import java.util.ArrayList;
import java.util.List;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
public class CatalogController {

  private final Environment env;
  private final CatalogRepository catalogRepository;

  public CatalogController(Environment env, CatalogRepository catalogRepository) {
    this.env = env;
    this.catalogRepository = catalogRepository;
  }

  @GetMapping("/health_check")
  public String status() {
    return String.format("It's Working in Catalog Service on PORT %s",
        env.getProperty("local.server.port"));
  }

  @GetMapping("/catalogs")
  public List<ResponseCatalog> getCatalogs() {
    List<ResponseCatalog> result = new ArrayList<>();
    catalogRepository.findAll().forEach(v -> result.add(ResponseCatalog.of(v)));
    result.sort((a, b) -> a.productId().compareTo(b.productId()));
    return result;
  }

  @GetMapping("/catalogs/{productId}")
  public ResponseCatalog getCatalog(@PathVariable String productId) {
    CatalogEntity catalog = catalogRepository.findByProductId(productId);
    if (catalog == null) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No product with this id");
    }
    return ResponseCatalog.of(catalog);
  }
}
