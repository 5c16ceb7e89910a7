package stratus.interop.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class InteropController {

  private final Environment env;
  private final StratusServiceClient stratus;

  public InteropController(Environment env, StratusServiceClient stratus) {
    this.env = env;
    this.stratus = stratus;
  }

  @GetMapping("/hello")
  public Map<String, Object> hello() {
    return Map.of("service", env.getProperty("spring.application.name"),
        "port", env.getProperty("local.server.port"));
  }

  /** Calls the Stratus service through OpenFeign. */
  @GetMapping("/stratus/hello")
  public Map<String, Object> stratusHello() {
    return Map.of("via", env.getProperty("spring.application.name"), "stratus", stratus.hello());
  }

  /** Hands an event to the Stratus service, which publishes it. */
  @PostMapping("/relay")
  public Map<String, Object> relay(@RequestBody Map<String, Object> event) {
    return stratus.publish(event);
  }

  /** The values of the named properties, as this service resolved them. */
  @GetMapping("/config")
  public Map<String, String> config(@RequestParam List<String> key) {
    Map<String, String> values = new LinkedHashMap<>();
    key.forEach(k -> values.put(k, env.getProperty(k)));
    return values;
  }
}
