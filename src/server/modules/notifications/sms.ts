import type { FieldCrypto } from "../../platform/crypto.ts";
import type { Transport } from "./service.ts";

// The SMS transport: an HTTP adapter to a configurable gateway (SMS_GATEWAY_URL). Each message is one POST
// of JSON { phone, text, ref } with an optional bearer token; any answer but 2xx is a failure the caller
// retries. The phone is decrypted only at the moment of sending. Messages to staff (no phone) are not SMS.

export interface SmsGateway {
  url: string;
  token?: string;
  /** Milliseconds before a request is given up (a failure). */
  timeoutMs?: number;
  /** Signature shown at the head of every message, as Chinese SMS rules require: 【网格管家】. */
  signature?: string;
}

export function smsHttpTransport(gateway: SmsGateway, crypto: FieldCrypto): Transport {
  const sign = gateway.signature ?? "【网格管家】";
  return {
    name: "sms_http",
    async send(m) {
      if (!m.recipientPhoneCipher) throw new Error("短信只发给居民手机：该消息没有手机号");
      const phone = crypto.decrypt(m.recipientPhoneCipher);
      const res = await fetch(gateway.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(gateway.token ? { authorization: `Bearer ${gateway.token}` } : {}),
        },
        body: JSON.stringify({ phone, text: `${sign}${m.body}`, ref: `${m.kind}:${m.id}` }),
        signal: AbortSignal.timeout(gateway.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`短信网关返回 ${res.status}`);
      await res.body?.cancel();
    },
  };
}
