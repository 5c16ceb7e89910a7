// The shop's event contract, shared with catalog-service (services/contracts).
export {
  bindShopEvents,
  orderCreatedMessage,
  orderStatusOf,
  parseStockOutcome,
  type OrderCreated,
  type ShopEvents,
} from '@stratus/shop-contracts';
