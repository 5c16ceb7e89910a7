package stratus.interop;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Consumes what Stratus publishes and publishes what Stratus consumes, printing one JSON line
 * per event on stdout ({@code CONSUMED …}, {@code SENT …}) for the test to read.
 */
@SpringBootApplication
public class InteropApplication {

  private final ObjectMapper mapper = new ObjectMapper();

  public static void main(String[] args) {
    SpringApplication.run(InteropApplication.class, args);
  }

  /** The course's catalog-service listener: a String value mapped with Jackson. */
  @KafkaListener(id = "plain", topics = "${interop.stratus-topic}", groupId = "${interop.group}")
  public void onPlain(ConsumerRecord<String, String> record) throws Exception {
    OrderDto order = mapper.readValue(record.value(), OrderDto.class);
    print("CONSUMED", "plain", record, order);
  }

  /**
   * A typed listener: spring-kafka's JSON deserializer picks the class from the __TypeId__ header
   * Stratus wrote, through a type mapping token.
   */
  @KafkaListener(id = "typed", topics = "${interop.typed-topic}", groupId = "${interop.group}",
      properties = {
          "value.deserializer=org.springframework.kafka.support.serializer.JacksonJsonDeserializer",
          "spring.json.type.mapping=order:stratus.interop.OrderDto",
          "spring.json.trusted.packages=stratus.interop"})
  public void onTyped(ConsumerRecord<String, OrderDto> record) throws Exception {
    print("CONSUMED", "typed", record, record.value());
  }

  /** Sends one order as the course's KafkaProducer does, and one with the JSON serializer. */
  @EventListener(ApplicationReadyEvent.class)
  public void sendOrders(ApplicationReadyEvent event) throws Exception {
    KafkaTemplate<String, String> strings = event.getApplicationContext().getBean("stringTemplate", KafkaTemplate.class);
    KafkaTemplate<String, Object> json = event.getApplicationContext().getBean("jsonTemplate", KafkaTemplate.class);
    String stringTopic = event.getApplicationContext().getEnvironment().getProperty("interop.java-topic");
    String jsonTopic = event.getApplicationContext().getEnvironment().getProperty("interop.java-json-topic");
    OrderDto plain = new OrderDto("CATALOG-002", 3, 900, 2700, "order-from-java-1", "user-7");
    strings.send(stringTopic, plain.orderId(), mapper.writeValueAsString(plain)).get();
    OrderDto typed = new OrderDto("CATALOG-003", 1, 1500, 1500, "order-from-java-2", "user-7");
    json.send(jsonTopic, typed.orderId(), typed).get();
    System.out.println("SENT " + mapper.writeValueAsString(Map.of("topics", new String[] {stringTopic, jsonTopic})));
  }

  private void print(String what, String listener, ConsumerRecord<String, ?> record, OrderDto order) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("listener", listener);
    line.put("topic", record.topic());
    line.put("key", record.key());
    line.put("order", order);
    line.put("headers", headers);
    System.out.println(what + " " + mapper.writeValueAsString(line));
  }
}
