package com.example.catalogservice;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * The course's consumer: takes the ordered quantity from the stock. It also answers the order
 * saga as Stratus's order-service expects: {@code {orderId, productId, qty}} on the
 * stock-reserved topic, or the same plus {@code reason} on the stock-rejected topic, keyed by
 * the order id.
 */
@Service
public class KafkaConsumer {

  private static final Logger log = LoggerFactory.getLogger(KafkaConsumer.class);
  private final ObjectMapper mapper = new ObjectMapper();
  private final CatalogRepository catalogRepository;
  private final KafkaTemplate<String, String> kafkaTemplate;

  @Value("${shop.events.stock-reserved.topic:stock.reserved}")
  private String stockReservedTopic;

  @Value("${shop.events.stock-rejected.topic:stock.rejected}")
  private String stockRejectedTopic;

  public KafkaConsumer(CatalogRepository catalogRepository, KafkaTemplate<String, String> kafkaTemplate) {
    this.catalogRepository = catalogRepository;
    this.kafkaTemplate = kafkaTemplate;
  }

  @Transactional
  @KafkaListener(topics = "${shop.events.order-created.topic:example-catalog-topic}")
  public void updateQty(final String kafkaMessage) {
    log.info("kafkaMessage[{}]", kafkaMessage);
    Map<Object, Object> map = new HashMap<>();
    try {
      map = mapper.readValue(kafkaMessage, new TypeReference<>() { });
    } catch (JacksonException jsonProcessingException) {
      log.error("", jsonProcessingException);
      return;
    }
    Object productId = map.get("productId");
    Object qty = map.get("qty");
    Object orderId = map.get("orderId");
    if (productId == null || !(qty instanceof Integer quantity) || orderId == null) {
      log.warn("malformed order event skipped");
      return;
    }
    final CatalogEntity catalog = catalogRepository.findByProductId(productId.toString());
    log.info("catalog[{}]", catalog);
    String reason = null;
    if (catalog == null) {
      reason = "UNKNOWN_PRODUCT";
    } else if (catalog.getStock() < quantity) {
      reason = "OUT_OF_STOCK";
    } else {
      catalog.setStock(catalog.getStock() - quantity);
      catalogRepository.save(catalog);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("orderId", orderId.toString());
    answer.put("productId", productId.toString());
    answer.put("qty", quantity);
    if (reason != null) {
      answer.put("reason", reason);
    }
    String topic = reason == null ? stockReservedTopic : stockRejectedTopic;
    kafkaTemplate.send(topic, orderId.toString(), mapper.writeValueAsString(answer));
    log.info("[Kafka] to order-service on {}: {}", topic, answer);
  }
}
