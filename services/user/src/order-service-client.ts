import { isStratusError } from '@stratus/core';
import { defineClient, endpoint } from '@stratus/http';

/** One order as order-service answers it (the course's `ResponseOrder`). */
export interface ResponseOrder {
  readonly orderId: string;
  readonly productId: string;
  readonly qty: number;
  readonly unitPrice: number;
  readonly totalPrice: number;
  readonly createdAt?: string;
  readonly status?: string;
}

/** A user's orders as user-service knows them. */
export interface UserOrders {
  readonly orders: readonly ResponseOrder[];
  /** False when order-service could not be asked (failed, timed out, breaker open): the fallback. */
  readonly isAvailable: boolean;
  /** Why not, for the log: the failure's code (`HTTP_ERR_CIRCUIT_OPEN`, `HTTP_ERR_TIMEOUT`, …). */
  readonly reason?: string;
}

const isOrder = (value: unknown): value is ResponseOrder => {
  const order = value as Partial<ResponseOrder> | null;
  return (
    typeof order === 'object' &&
    order !== null &&
    typeof order.orderId === 'string' &&
    typeof order.productId === 'string' &&
    typeof order.qty === 'number' &&
    typeof order.unitPrice === 'number' &&
    typeof order.totalPrice === 'number'
  );
};

/** order-service's answer checked, as Jackson maps it into `List<ResponseOrder>`. */
function toUserOrders(value: unknown): UserOrders {
  if (!Array.isArray(value) || !value.every(isOrder)) throw new TypeError('not a list of orders');
  return { orders: value, isAvailable: true };
}

/**
 * order-service as user-service calls it: the course's `@FeignClient(name = "order-service")`
 * interface with `getOrders(userId)`, the caller's `Authorization` passed on. With
 * `spring.cloud.openfeign.circuitbreaker.enabled` (user-service's default, in index.ts) every
 * call runs under the breaker `order-service#getOrders`, and any failure or refusal answers the
 * fallback: no orders, marked unavailable (the course's `throwable -> new ArrayList<>()`).
 */
export const OrderServiceClient = defineClient({
  name: 'order-service',
  endpoints: {
    getOrders: endpoint({
      method: 'GET',
      path: '/{userId}/orders',
      headers: { authorization: 'Authorization' },
      response: toUserOrders,
    }),
  },
  fallback: {
    getOrders: (cause): UserOrders => ({
      orders: [],
      isAvailable: false,
      reason: isStratusError(cause) ? cause.code : cause.name,
    }),
  },
});
