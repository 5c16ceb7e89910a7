// The shop's event contract, shared with order-service (services/contracts).
export {
  bindShopEvents,
  parseOrderCreated,
  stockOutcomeMessage,
  type RejectReason,
  type ShopEvents,
  type StockRequest,
} from '@stratus/shop-contracts';
