// A webhook receiver typed by the spec: `WebhookEvent` is the union of the
// spec's event schemas (components.schemas.WebhookEvent, discriminated on
// `event`), so each case of the switch on `event.event` gets that event's
// `data` type, and the `never` check in `default` makes the compiler demand
// a case for every event type the spec declares (and refuse a case for one
// it does not). The SDK's test run compiles this file against
// gen/ts/openapi.d.ts.
//
// Verifying the delivery's signatures (with the webhook's key from
// GET /v1/webhooks/key) comes before this: see the README, Webhooks.
import type { components } from "../../../gen/ts/openapi.js";

/** One event delivery's body: the spec's union, discriminated on `event`. */
export type WebhookEvent = components["schemas"]["WebhookEvent"];

/** What the receiver did with one event, for the example's output. */
export function describe(event: WebhookEvent): string {
  switch (event.event) {
    case "CUSTOMER.CREATED":
    case "CUSTOMER.UPDATED":
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
    case "INSTRUMENT.UPDATED":
      return `${event.data.symbol} now ${event.data.price} USD${event.data.isSandboxPrice ? " (sandbox price)" : ""}`;
    case "AUTH.CREATED":
    case "AUTH.DELETED":
      return `token ${event.data.tokenId} of ${event.data.organization.clientId} ${event.event === "AUTH.CREATED" ? "issued" : "revoked"}`;
    case "WEBHOOK.CREATED":
    case "WEBHOOK.UPDATED":
      return `webhook ${event.data.webhookId} for ${event.data.url} is ${event.data.status}`;
    case "WEBHOOK.TEST":
      return `a test event (${event.data.test})`;
    case "WALLET_CUSTOMER.CREATED":
    case "WALLET_CUSTOMER.UPDATED":
      return `wallet customer ${event.data.customer_guid} of counterparty ${event.data.counterparty_guid}, KYC level ${event.data.kyc_level}`;
    case "WALLET_ACCOUNT.CREATED":
      return `wallet account ${event.data.wallet_account_guid} of customer ${event.data.customer_guid}`;
    case "BANKING_APPLICATION.CREATED":
    case "BANKING_APPLICATION.UPDATED":
    case "BANKING_APPLICATION.SUBMITTED":
    case "BANKING_APPLICATION.APPROVED":
    case "BANKING_APPLICATION.DENIED":
    case "BANKING_APPLICATION.MANUAL_REVIEW":
      return `${event.data.type} application ${event.data.id} is ${event.data.status}`;
    case "BANKING_CUSTOMER.CREATED":
    case "BANKING_CUSTOMER.UPDATED":
    case "BANKING_CUSTOMER.STATUS_CHANGED":
      return `banking customer ${event.data.id} is ${event.data.status}`;
    case "REPORT.CREATED":
    case "REPORT.UPDATED":
      return `report ${event.data.reportId} (${event.data.reportTypes.join(", ")}) is ${event.data.status}`;
    case "BANKING_INDIVIDUAL.UPDATED":
      return `individual ${event.data.id} (${event.data.role}) of customer ${event.data.customer_id}`;
    default: {
      const unhandled: never = event;
      return `unhandled ${JSON.stringify(unhandled)}`;
    }
  }
}
