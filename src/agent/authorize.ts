import { aclCheck, type AclCheck, type ApiName, type CheckCondition, type CheckTarget } from '../acls/index.ts';
import type { AclDecider } from './acl.ts';
import type { Answer, RequestContext } from './connection.ts';
import type { AgentContext } from './context.ts';

/**
 * Every Kafka API is served as its handler plus its ACL step, written side by side in the
 * handler's module: the step reads the request under the cluster's ACLs (the checks of
 * KAFKA_API_ACLS) and decides; serveAuthorized composes the two alike for every API: decide,
 * serve, narrow. Where the client asks for *AuthorizedOperations, handlers answer Kafka's
 * no-authorizer value and the step narrows it to the principal's.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

/** What an API's ACL step decided about one request. */
export type Authorization<Request> =
  /** Answered without the handler: the whole request is refused, or every resource it names. */
  | { answer: Answer }
  /**
   * Served: the handler answers `request` (the one asked, or what is left of it once refused
   * resources are taken out), and `narrow` makes that answer the principal's: refusals added,
   * hidden resources left out, *AuthorizedOperations narrowed.
   */
  | { request: Request; narrow?: (answer: Any) => Answer };

export type Handle<Request> = (agent: AgentContext, request: Request, context: RequestContext) => Promise<Answer>;

/** An API's ACL step; called only when ACLs are looked at for the request (`AclDecider.active`). */
export type Authorize<Request, Served = Request> = (
  acls: AclDecider,
  request: Request,
  context: RequestContext,
  agent: AgentContext,
) => Authorization<Served> | Promise<Authorization<Served>>;

/** One Kafka API as the agent serves it, its request type erased (kafkaApi checks that the two agree). */
export interface KafkaApi {
  handle: Handle<never>;
  authorize: Authorize<never, unknown>;
}

/** Pairs a handler with its ACL step; both must read the same request type. */
export function kafkaApi<Request>(handle: Handle<Request>, authorize: Authorize<Request>): KafkaApi {
  return { handle, authorize };
}

/** Serves one request under the cluster's ACLs: decide, serve, narrow. */
export async function serveAuthorized(api: KafkaApi, acls: AclDecider, agent: AgentContext, request: unknown, context: RequestContext): Promise<Answer> {
  if (!acls.active) return api.handle(agent, request as never, context);
  const decided: Authorization<unknown> = await api.authorize(acls, request as never, context, agent);
  if ('answer' in decided) return decided.answer;
  const answer = await api.handle(agent, decided.request as never, context);
  return decided.narrow ? decided.narrow(answer) : answer;
}

/**
 * An API's check in KAFKA_API_ACLS, looked up once as a module loads: a check the table lacks
 * fails the agent's start instead of passing every request.
 */
export function checkOf(api: ApiName, target: CheckTarget, when: CheckCondition): AclCheck {
  const check = aclCheck(api, target, when);
  if (!check) throw new Error(`KAFKA_API_ACLS has no ${target} check of ${api} when ${when}`);
  return check;
}

/** The resources of a request as an ACL step split them: those it serves, and the answer entries of those it refuses. */
export interface Split<Item> {
  allowed: Item[];
  refusals: object[];
}

/** Splits `items` in request order; `refusalOf` answers an item's refusal entry, or undefined when it is allowed. */
export function splitByAcls<Item>(items: readonly Item[], refusalOf: (item: Item) => object | undefined): Split<Item> {
  const split: Split<Item> = { allowed: [], refusals: [] };
  for (const item of items) {
    const refusal = refusalOf(item);
    if (refusal === undefined) split.allowed.push(item);
    else split.refusals.push(refusal);
  }
  return split;
}

/**
 * Kafka's per-resource refusal: with nothing refused the request is served as asked; otherwise
 * the handler serves `rest(allowed)` and the refusals follow the entries of its answer's `list`;
 * with nothing allowed the handler is not called and `empty` (its answer with an empty `list`)
 * carries the refusals.
 */
export function serveAllowed<Request, Item>(
  request: Request,
  { allowed, refusals }: Split<Item>,
  rest: (allowed: Item[]) => Request,
  list: string,
  empty: object,
): Authorization<Request> {
  if (refusals.length === 0) return { request };
  const withRefusals = (answer: Any) => ({ ...answer, [list]: [...answer[list], ...refusals] });
  return allowed.length > 0 ? { request: rest(allowed), narrow: withRefusals } : { answer: withRefusals(empty) };
}
