// The notifications module's face: the outbox every other module writes its messages through.
export { notificationRoutes as routes } from "./routes.ts";
export {
  type Delivery,
  deliverPending,
  drainOutbox,
  enqueue,
  insertNotificationsSelect,
  insertPhoneMessagesSelect,
  logTransport,
  type OutgoingMessage,
  type Transport,
} from "./service.ts";
export { type SmsGateway, smsHttpTransport } from "./sms.ts";
