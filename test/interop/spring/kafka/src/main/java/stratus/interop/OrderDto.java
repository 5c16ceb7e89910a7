package stratus.interop;

/** The course's order event: what order-service sends to example-catalog-topic. */
public record OrderDto(String productId, Integer qty, Integer unitPrice, Integer totalPrice,
    String orderId, String userId) {
}
