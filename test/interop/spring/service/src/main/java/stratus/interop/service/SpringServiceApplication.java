package stratus.interop.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.openfeign.EnableFeignClients;

/** A Spring Cloud service as the course writes one. */
@EnableFeignClients
@SpringBootApplication
public class SpringServiceApplication {
  public static void main(String[] args) {
    SpringApplication.run(SpringServiceApplication.class, args);
  }
}
