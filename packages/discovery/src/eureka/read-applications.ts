import { asList, isJsonObject, textOf, type JsonObject } from './json-values.js';

/** The parts of an `{"applications": …}` document (full registry or delta) a reader needs. */
export interface ApplicationsDocument {
  /** `apps__hashcode` as sent, or null when absent. */
  readonly hashcode: string | null;
  /** Every instance object of every application, in document order, not yet validated. */
  readonly instances: readonly JsonObject[];
}

/**
 * Reads `{"applications":{"application":[{"instance":[…]}]}}`, tolerating a single object where
 * an array belongs (spring-wire §1.7–1.8). Returns null when `applications` or `application` is
 * missing: a client then keeps its cache, as eureka-js-client does. Entries that are not
 * objects are skipped.
 *
 * @example
 * const document = readApplicationsDocument(JSON.parse(body));
 * for (const raw of document?.instances ?? []) parseInstance(raw, String(raw.app), Date.now());
 */
export function readApplicationsDocument(body: unknown): ApplicationsDocument | null {
  if (!isJsonObject(body) || !isJsonObject(body.applications)) return null;
  const applications = body.applications.application;
  if (applications === undefined || applications === null) return null;
  const instances: JsonObject[] = [];
  for (const application of asList(applications)) {
    if (!isJsonObject(application)) continue;
    for (const raw of asList(application.instance)) if (isJsonObject(raw)) instances.push(raw);
  }
  return { hashcode: textOf(body.applications.apps__hashcode), instances };
}
