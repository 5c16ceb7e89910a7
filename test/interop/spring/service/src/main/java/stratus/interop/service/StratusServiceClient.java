package stratus.interop.service;

import java.util.Map;
import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;

/** A Stratus service, found through Eureka (lb://) by its service id. */
@FeignClient(name = "${interop.stratus-service:stratus-service}")
public interface StratusServiceClient {

  @GetMapping("/hello")
  Map<String, Object> hello();

  @PostMapping("/publish")
  Map<String, Object> publish(@RequestBody Map<String, Object> event);
}
