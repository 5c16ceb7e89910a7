package stratus.interop.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The course's apigateway-service. */
@SpringBootApplication
public class ApigatewayServiceApplication {
  public static void main(String[] args) {
    SpringApplication.run(ApigatewayServiceApplication.class, args);
  }
}
