package stratus.interop.bus;

import org.springframework.amqp.core.DeclarableCustomizer;
import org.springframework.amqp.core.Queue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * RabbitMQ before 3.12 refuses the {@code x-queue-leader-locator} argument Spring AMQP 4 puts on
 * anonymous queues (406 PRECONDITION_FAILED), so the bus queue could not be declared there; the
 * Rabbit binder applies {@link DeclarableCustomizer} beans before declaring.
 */
@Configuration(proxyBeanMethods = false)
public class LegacyQueueArguments {

  @Bean
  public DeclarableCustomizer withoutLeaderLocator() {
    return declarable -> {
      if (declarable instanceof Queue queue) {
        queue.getArguments().remove("x-queue-leader-locator");
        queue.getArguments().remove("x-queue-master-locator");
      }
      return declarable;
    };
  }
}
