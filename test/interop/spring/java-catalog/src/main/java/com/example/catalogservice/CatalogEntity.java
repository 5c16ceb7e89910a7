package com.example.catalogservice;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Date;
import org.hibernate.annotations.ColumnDefault;

@Entity
@Table(name = "catalog")
public class CatalogEntity {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false, length = 120, unique = true)
  private String productId;

  @Column(nullable = false)
  private String productName;

  @Column(nullable = false)
  private Integer stock;

  @Column(nullable = false)
  private Integer unitPrice;

  @Column(nullable = false, updatable = false, insertable = false)
  @ColumnDefault(value = "CURRENT_TIMESTAMP")
  private Date createdAt;

  public String getProductId() { return productId; }
  public String getProductName() { return productName; }
  public Integer getStock() { return stock; }
  public void setStock(Integer stock) { this.stock = stock; }
  public Integer getUnitPrice() { return unitPrice; }
  public Date getCreatedAt() { return createdAt; }

  @Override
  public String toString() {
    return "CatalogEntity[productId=" + productId + ", stock=" + stock + "]";
  }
}
