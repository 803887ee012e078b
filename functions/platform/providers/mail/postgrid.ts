/**
 * PostGrid Print & Mail: letters and postcards.
 *
 * Documentation:
 * - Getting started: https://guides.postgrid.com/print-and-mail/api/overview/index.md and
 *   https://postgrid.readme.io/reference/overview (test and live keys; "With each request, be sure
 *   to include the x-api-key header with your API key as the value"; test orders are never mailed).
 * - API (Postman collection): https://docs.postgrid.com/ ; the official SDK's operations
 *   (github.com/postgrid/postgrid-node, docs/sdks/letters): `POST /print-mail/v1/letters` (create
 *   with `to`, `from`, `template`, `color`, `doubleSided`, `addressPlacement`, `metadata`),
 *   `GET /print-mail/v1/letters` (list, with `search`), `DELETE /print-mail/v1/letters/{id}`
 *   ("Cancel Letter"), and the same for `/postcards` (`frontTemplate`, `backTemplate`, `size`).
 *
 * Idempotency: PostGrid's pages found do not document an idempotency header the way Lob's do, so
 * the adapter does not rely on one alone (docs/providers.md, "PostGrid idempotency"):
 * 1. every create carries `Idempotency-Key` (derived from the touch id) and the same key in
 *    `metadata.idempotencyKey`;
 * 2. after an answer that leaves the outcome open (a 5xx, a timeout, a network error), before the
 *    HTTP client sends the create again (`beforeRetry`), and before the engine sends an order again
 *    (`order.resend`), the adapter looks for a piece carrying the key
 *    (`GET ...?search={"metadata":{"idempotencyKey":...}}`, the list's `search` filter) and answers
 *    with it when there is one; only when there is none is the create sent again. After a 429
 *    (PostGrid did not act) the create is simply sent again after `Retry-After`;
 * 3. a create whose answer was lost can still land after the lookup (a slow request PostGrid
 *    processes late): once an order had an open outcome, the adapter looks again after its create
 *    succeeds, keeps the first piece made and cancels any other while it is still `ready` (before
 *    printing). A piece that lands later still, after that, is the window this cannot close.
 * So an order never makes two pieces, whether or not PostGrid honours the header.
 */
import { PrintAndMailAdapter } from './adapter';
import { POSTGRID_BASE } from './cancel';
import type { DirectMailOrder } from '../direct-mail';
import {
  asMailCall,
  createdPieceId,
  idempotencyKeyOf,
  pieceMetadata,
  pieceOf,
  refusedOrder,
  type MailAdapterDeps,
  type MailAdapterSettings,
} from './shared';

const BASE = POSTGRID_BASE;
/** PostGrid names postcard sizes width first (6x4); the configuration uses Lob's names (4x6). */
const POSTGRID_SIZES: Record<string, string> = { '4x6': '6x4', '6x9': '9x6', '6x11': '11x6' };

export class PostGridDirectMail extends PrintAndMailAdapter {
  constructor(settings: MailAdapterSettings, secret: unknown, deps: MailAdapterDeps = {}) {
    super('postgrid', settings, secret, deps);
  }

  async request(order: DirectMailOrder): Promise<{ ref: string }> {
    const piece = pieceOf('postgrid', this.settings.pieces, order.piece);
    const key = idempotencyKeyOf(order.orderId);
    const common = {
      description: `${order.campaignId} ${order.piece}`.slice(0, 255),
      to: {
        firstName: order.recipientName,
        addressLine1: order.address.line1,
        ...(order.address.line2 ? { addressLine2: order.address.line2 } : {}),
        city: order.address.city,
        ...(order.address.region ? { provinceOrState: order.address.region } : {}),
        postalOrZip: order.address.postalCode,
        countryCode: order.address.country,
      },
      from: this.settings.from,
      metadata: pieceMetadata(order),
      mergeVariables: { name: order.recipientName },
    };
    const [resource, body] =
      piece.type === 'letter'
        ? [
            'letters',
            {
              ...common,
              template: piece.template,
              color: piece.color,
              doubleSided: piece.doubleSided,
              addressPlacement: 'top_first_page',
            },
          ]
        : [
            'postcards',
            {
              ...common,
              frontTemplate: piece.template,
              backTemplate: piece.back,
              size: POSTGRID_SIZES[piece.size],
            },
          ];
    const path = `${BASE}/${resource}`;
    // An order sent before (the engine's retry after an open outcome): the piece may exist.
    let open = order.resend === true;
    if (open) {
      const kept = await this.settle(resource, key);
      if (kept) return { ref: kept };
    }
    const res = await asMailCall('postgrid', () =>
      this.http.request({
        method: 'POST',
        path,
        headers: { 'idempotency-key': key },
        json: body,
        beforeRetry: async () => {
          open = true;
          const kept = await this.settle(resource, key);
          return kept ? { status: 200, headers: new Headers(), body: { id: kept } } : undefined;
        },
      }),
    );
    const made = createdPieceId('postgrid', path, res);
    // A create whose answer was lost may still have landed after the lookup: keep one piece.
    return { ref: open ? ((await this.settle(resource, key)) ?? made) : made };
  }

  /**
   * The one piece kept for an idempotency key: PostGrid's pieces carrying it in their metadata
   * (not cancelled), the first made kept and any other cancelled while it is still `ready`. Every
   * attempt at the order decides the same way, so they keep the same piece.
   */
  private async settle(resource: string, key: string): Promise<string | undefined> {
    const res = await asMailCall('postgrid', () =>
      this.http.request({
        method: 'GET',
        path: `${BASE}/${resource}`,
        query: { search: JSON.stringify({ metadata: { idempotencyKey: key } }), limit: '10' },
      }),
    );
    if (res.status < 200 || res.status >= 300)
      throw refusedOrder('postgrid', `GET ${BASE}/${resource}`, res.status, res.body);
    const data = (
      res.body as { data?: { id?: unknown; status?: unknown; createdAt?: unknown }[] } | undefined
    )?.data;
    const live = (data ?? [])
      .filter(
        (p): p is { id: string; createdAt?: unknown } => typeof p.id === 'string' && p.status !== 'cancelled',
      )
      .sort(
        (a, b) =>
          String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? '')) || a.id.localeCompare(b.id),
      );
    const [kept, ...extra] = live;
    for (const p of extra) await this.cancel(p.id);
    return kept?.id;
  }
}
