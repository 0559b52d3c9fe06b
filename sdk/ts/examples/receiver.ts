// A webhook receiver typed by the spec: each case of the switch on
// `event.event` gets that event's `data` type, and the `never` check in
// `default` makes the compiler demand a case for every event type the spec
// declares (and refuse a case for one it does not). The SDK's test run
// compiles this file against gen/ts/openapi.d.ts.
//
// Verifying the delivery's signature (Standard Webhooks headers, key from
// GET /v1/webhooks/key) comes before this: see the README, Webhooks.
import type { components } from "../../../gen/ts/openapi.js";

type Schemas = components["schemas"];

/** The envelope of one event. */
interface Envelope<E extends string, D> {
  eventId: string;
  event: E;
  createdAt: number;
  data: D;
}

/**
 * The events the server sends, until the spec declares them itself (a
 * `WebhookEvent` union in components): then that union is used instead.
 */
type DeclaredEvents =
  | Envelope<"CUSTOMER.CREATED" | "CUSTOMER.UPDATED" | "CUSTOMER.DELETED", Schemas["Customer"]>
  | Envelope<"ACCOUNT.CREATED" | "ACCOUNT.UPDATED", Schemas["Account"]>
  | Envelope<"PORTFOLIO.CREATED" | "PORTFOLIO.UPDATED", Schemas["Portfolio"]>
  | Envelope<"REQUEST.CREATED" | "REQUEST.UPDATED", Schemas["InvestmentRequest"]>
  | Envelope<"TRANSACTION.CREATED", Schemas["Transaction"]>
  | Envelope<"ASSET.CREATED" | "ASSET.UPDATED", Schemas["Asset"]>
  | Envelope<"WEBHOOK.CREATED", Schemas["Webhook"]>
  | Envelope<"WEBHOOK.TEST", Record<string, unknown>>;

export type WebhookEvent = Schemas extends { WebhookEvent: infer E } ? E : DeclaredEvents;

/** What the receiver did with one event, for the example's output. */
export function describe(event: WebhookEvent): string {
  switch (event.event) {
    case "CUSTOMER.CREATED":
    case "CUSTOMER.UPDATED":
    case "CUSTOMER.DELETED":
      return `customer ${event.data.customerId} ${event.data.firstName} ${event.data.lastName} is ${event.data.status}`;
    case "ACCOUNT.CREATED":
    case "ACCOUNT.UPDATED":
      return `account ${event.data.accountId} of customer ${event.data.customerId} is ${event.data.status}`;
    case "PORTFOLIO.CREATED":
    case "PORTFOLIO.UPDATED":
      return `portfolio ${event.data.portfolioId} is ${event.data.status}`;
    case "REQUEST.CREATED":
    case "REQUEST.UPDATED":
      return `request ${event.data.requestId} (${event.data.requestType}) is ${event.data.status}`;
    case "TRANSACTION.CREATED":
      return `transaction ${event.data.transactionId} of ${event.data.amount} ${event.data.currency}`;
    case "ASSET.CREATED":
    case "ASSET.UPDATED":
      return `asset ${event.data.assetId}: ${event.data.quantity} ${event.data.symbol}`;
    case "WEBHOOK.CREATED":
      return `webhook ${event.data.webhookId} for ${event.data.url}`;
    case "WEBHOOK.TEST":
      return "a test event";
    default: {
      const unhandled: never = event;
      return `unhandled ${JSON.stringify(unhandled)}`;
    }
  }
}
