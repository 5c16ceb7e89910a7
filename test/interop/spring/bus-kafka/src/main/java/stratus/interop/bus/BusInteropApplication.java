package stratus.interop.bus;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.bus.event.AckRemoteApplicationEvent;
import org.springframework.cloud.bus.event.RemoteApplicationEvent;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.cloud.context.scope.refresh.RefreshScopeRefreshedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.ObjectMapper;

/**
 * A bus participant as the course writes one: a {@code @RefreshScope} bean reading
 * {@code interop.message} (from a file the test edits), served at {@code GET /interop/message}.
 * Every bus event it sees is printed as one {@code EVENT {json}} line on stdout for the test.
 */
@SpringBootApplication
public class BusInteropApplication {

  public static void main(String[] args) {
    SpringApplication.run(BusInteropApplication.class, args);
  }

  /** The refreshable value. */
  @RefreshScope
  @RestController
  public static class MessageController {

    @Value("${interop.message:unset}")
    private String message;

    @GetMapping("/interop/message")
    public Map<String, String> message() {
      return Map.of("message", message);
    }
  }

  /** Prints the bus events this app sees (acks of others need spring.cloud.bus.trace.enabled). */
  @Component
  public static class EventPrinter {

    private final ObjectMapper mapper = new ObjectMapper();

    @EventListener
    public void onBusEvent(RemoteApplicationEvent event) throws Exception {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("type", event.getClass().getSimpleName());
      line.put("id", event.getId());
      line.put("originService", event.getOriginService());
      line.put("destinationService", event.getDestinationService());
      if (event instanceof AckRemoteApplicationEvent ack) {
        line.put("ackId", ack.getAckId());
        line.put("event", ack.getEvent() == null ? null : ack.getEvent().getName());
      }
      System.out.println("EVENT " + mapper.writeValueAsString(line));
    }

    @EventListener
    public void onRefreshed(RefreshScopeRefreshedEvent event) {
      System.out.println("REFRESHED {}");
    }
  }
}
