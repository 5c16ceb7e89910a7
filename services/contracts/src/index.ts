export {
  parseOrderCreated,
  parseStockOutcome,
  type OrderCreated,
  type StockRequest,
  type StockReserved,
  type StockRejected,
  type RejectReason,
} from './events.js';
export {
  bindShopEvents,
  SHOP_EVENT_DEFAULTS,
  type ShopEvents,
  type OrderCreatedFormat,
} from './settings.js';
export { orderCreatedMessage, stockOutcomeMessage, orderStatusOf } from './messages.js';
