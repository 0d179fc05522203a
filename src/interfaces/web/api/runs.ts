/**
 * Runs this server started (operations, campaigns), so a request can stop them and the server's
 * stop lets them wind down: an aborted operation starts no new account, an aborted campaign
 * pauses once its messages in flight are settled.
 */
export class WebRuns {
  readonly operations = new Map<number, AbortController>();
  readonly campaigns = new Map<string, AbortController>();

  stopAll(): void {
    for (const c of this.operations.values()) c.abort();
    for (const c of this.campaigns.values()) c.abort();
  }
}
