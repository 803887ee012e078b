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
 *    (PostGrid did not act) the create is simply sent again after `Retry-After`.
 * So an order never makes two pieces, whether or not PostGrid honours the header.
 */
import { ProviderHttpClient } from '../http';
import type { CancelOutcome, DirectMailOrder, DirectMailProvider } from '../direct-mail';
import {
  apiKeySecret,
  asMailCall,
  DirectMailError,
  idempotencyKeyOf,
  keyMode,
  pieceMetadata,
  refusedOrder,
  type KeyMode,
  type MailAdapterDeps,
  type MailAdapterSettings,
} from './shared';

export const POSTGRID_API = 'https://api.postgrid.com';
const BASE = '/print-mail/v1';
/** PostGrid names postcard sizes width first (6x4); the configuration uses Lob's names (4x6). */
const POSTGRID_SIZES: Record<string, string> = { '4x6': '6x4', '6x9': '9x6', '6x11': '11x6' };

export class PostGridDirectMail implements DirectMailProvider {
  readonly name = 'postgrid';
  readonly idempotent = true;
  readonly mode: KeyMode;
  private readonly http: ProviderHttpClient;

  constructor(
    private readonly settings: MailAdapterSettings,
    secret: unknown,
    deps: MailAdapterDeps = {},
  ) {
    const { apiKey } = apiKeySecret('postgrid', secret);
    // PostGrid's keys: test_sk_... and live_sk_... (overview page).
    this.mode = keyMode(apiKey);
    this.http = new ProviderHttpClient({
      ...deps,
      provider: 'postgrid',
      baseUrl: settings.baseUrl ?? POSTGRID_API,
      headers: () => ({ 'x-api-key': apiKey }),
    });
  }

  async request(order: DirectMailOrder): Promise<{ ref: string }> {
    const piece = this.settings.pieces[order.piece];
    if (!piece) throw new DirectMailError('postgrid', `no piece "${order.piece}" is configured`, false);
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
    if (order.resend) {
      const found = await this.findByKey(resource, key);
      if (found) return { ref: found };
    }
    const res = await asMailCall('postgrid', () =>
      this.http.request({
        method: 'POST',
        path,
        headers: { 'idempotency-key': key },
        json: body,
        beforeRetry: async () => {
          const found = await this.findByKey(resource, key);
          return found ? { status: 200, headers: new Headers(), body: { id: found } } : undefined;
        },
      }),
    );
    if (res.status === 401)
      throw new DirectMailError('postgrid', 'API key refused (401): check the secret', false, 401);
    if (res.status < 200 || res.status >= 300)
      throw refusedOrder('postgrid', `POST ${path}`, res.status, res.body);
    const id = (res.body as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string')
      throw new DirectMailError('postgrid', `POST ${path}: no id in the answer`, true);
    return { ref: id };
  }

  /** The id of the piece that carries this idempotency key, if PostGrid holds one. */
  private async findByKey(resource: string, key: string): Promise<string | undefined> {
    const res = await asMailCall('postgrid', () =>
      this.http.request({
        method: 'GET',
        path: `${BASE}/${resource}`,
        query: { search: JSON.stringify({ metadata: { idempotencyKey: key } }), limit: '1' },
      }),
    );
    if (res.status < 200 || res.status >= 300)
      throw refusedOrder('postgrid', `GET ${BASE}/${resource}`, res.status, res.body);
    const data = (res.body as { data?: { id?: unknown }[] } | undefined)?.data;
    const id = data?.[0]?.id;
    return typeof id === 'string' ? id : undefined;
  }

  async cancel(ref: string): Promise<CancelOutcome> {
    const resource = ref.startsWith('letter_')
      ? 'letters'
      : ref.startsWith('postcard_')
        ? 'postcards'
        : undefined;
    if (!resource) return 'unknown';
    const path = `${BASE}/${resource}/${encodeURIComponent(ref)}`;
    const res = await asMailCall('postgrid', () => this.http.request({ method: 'DELETE', path }));
    if (res.status >= 200 && res.status < 300) return 'cancelled';
    if (res.status === 404) return 'unknown';
    if (res.status === 401)
      throw new DirectMailError('postgrid', 'API key refused (401): check the secret', false, 401);
    // Only a piece still `ready` can be cancelled; once printing, PostGrid refuses.
    return 'too_late';
  }
}
