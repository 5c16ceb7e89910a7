package com.example.catalogservice;

import java.util.Date;

/** The catalogue entry as the API shows it (the same fields as Stratus's catalog-service). */
public record ResponseCatalog(String productId, String productName, Integer unitPrice,
    Integer stock, Date createdAt) {

  static ResponseCatalog of(CatalogEntity entity) {
    return new ResponseCatalog(entity.getProductId(), entity.getProductName(),
        entity.getUnitPrice(), entity.getStock(), entity.getCreatedAt());
  }
}
