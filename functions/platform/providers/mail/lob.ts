/**
 * Lob Print & Mail: letters and postcards.
 *
 * Documentation:
 * - API reference (OpenAPI 1.5.0, servers `https://api.lob.com/v1`): https://docs.lob.com/
 *   ("Authentication": HTTP Basic with the API key as the user name and an empty password; 401
 *   otherwise; "Letters" and "Postcards": create, retrieve, cancel).
 * - Idempotent requests: https://support.lob.com/hc/en-us/articles/360005117519 ("pass a unique
 *   key along with each request ... no duplicates are created even if the API is called multiple
 *   times within 24 hours"), the `Idempotency-Key` header of https://lob.com/docs#idempotent-requests.
 * - Cancellation: https://support.lob.com/hc/en-us/articles/5195420270995 (a piece can be cancelled
 *   until the account's cancellation window elapses; `DELETE /v1/letters/{id}`), and
 *   https://help.lob.com/developer-docs/use-case-guides/override-cancellation-window (`send_date`).
 * - Mail use type (`use_type`, marketing or operational):
 *   https://help.lob.com/print-and-mail/building-a-mail-strategy/managing-mail-settings
 *
 * What the adapter sends:
 * - `POST /v1/letters` `{ description, to, from, file, color, double_sided, use_type, metadata,
 *   merge_variables }`, `POST /v1/postcards` `{ description, to, from, front, back, size, use_type,
 *   metadata, merge_variables }`; `to` inline (`name`, `address_line1`, `address_line2`,
 *   `address_city`, `address_state`, `address_zip`, `address_country`), `from` the configured
 *   address id, `file` / `front` / `back` the configured template ids.
 * - `Idempotency-Key` derived from the touch id (shared.ts): a retried request, the HTTP client's or
 *   the engine's, answers with the piece the first one made.
 * - `metadata`: accountId, campaignId, contactId, touchId (Lob keeps up to 20 keys per piece), so
 *   a tracking webhook finds its account again.
 * - `DELETE /v1/letters/{id}` (or `/v1/postcards/{id}`) to cancel; Lob refuses once the piece is
 *   past its cancellation window (`send_date`).
 */
import { PrintAndMailAdapter } from './adapter';
import type { DirectMailOrder } from '../direct-mail';
import {
  asMailCall,
  createdPieceId,
  idempotencyKeyOf,
  pieceMetadata,
  pieceOf,
  type MailAdapterDeps,
  type MailAdapterSettings,
} from './shared';

export class LobDirectMail extends PrintAndMailAdapter {
  constructor(settings: MailAdapterSettings, secret: unknown, deps: MailAdapterDeps = {}) {
    super('lob', settings, secret, deps);
  }

  async request(order: DirectMailOrder): Promise<{ ref: string }> {
    const piece = pieceOf('lob', this.settings.pieces, order.piece);
    const common = {
      description: `${order.campaignId} ${order.piece}`.slice(0, 255),
      to: {
        name: order.recipientName.slice(0, 40),
        address_line1: order.address.line1,
        ...(order.address.line2 ? { address_line2: order.address.line2 } : {}),
        address_city: order.address.city,
        ...(order.address.region ? { address_state: order.address.region } : {}),
        address_zip: order.address.postalCode,
        address_country: order.address.country,
      },
      from: this.settings.from,
      use_type: this.settings.useType,
      metadata: pieceMetadata(order),
      merge_variables: { name: order.recipientName },
    };
    const [path, body] =
      piece.type === 'letter'
        ? [
            '/v1/letters',
            { ...common, file: piece.template, color: piece.color, double_sided: piece.doubleSided },
          ]
        : ['/v1/postcards', { ...common, front: piece.template, back: piece.back, size: piece.size }];
    const res = await asMailCall('lob', () =>
      this.http.request({
        method: 'POST',
        path,
        headers: { 'idempotency-key': idempotencyKeyOf(order.orderId) },
        json: body,
      }),
    );
    return { ref: createdPieceId('lob', path, res) };
  }
}
