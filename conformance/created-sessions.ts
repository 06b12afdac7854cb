// Every session the run creates, so that it deletes exactly those and nothing else: by sid when
// the create was answered, by its own unique name when the answer was lost on the way.
import { field, isSuccess, RunFailure, type Answer, type Form, type Transport } from "./transport";

/** How many list pages a search for an unanswered create may read (100 sessions each). */
const MAX_SEARCH_PAGES = 20;

export class CreatedSessions {
  /** sid → unique name (null when it has none). */
  private readonly live = new Map<string, string | null>();
  /** Unique names of creates that got no answer: the session may exist. */
  private readonly unanswered = new Set<string>();
  /** Unanswered creates the search could not settle: they may exist. */
  private readonly lost: string[] = [];

  constructor(private readonly transport: Transport) {}

  /** What may exist right now, for a user who quits before the cleanup. */
  pending(): string[] {
    return [
      ...[...this.live].map(([sid, name]) => `${sid} (${name ?? "no unique name"})`),
      ...[...this.unanswered].map((name) => `${name} (its create was not answered)`),
      ...this.lost,
    ];
  }

  async create(form: Form): Promise<Answer> {
    const name = form.find(([key]) => key === "UniqueName")?.[1] || null;
    let answer: Answer;
    try {
      answer = await this.transport.send({ method: "POST", path: "Sessions", form });
    } catch (err) {
      if (name !== null) this.unanswered.add(name);
      throw err;
    }
    const sid = field(answer, "sid");
    if (isSuccess(answer) && typeof sid === "string") this.live.set(sid, name);
    return answer;
  }

  /** Deleted, or already gone (404): either way the run leaves nothing behind. */
  async delete(sid: string): Promise<Answer> {
    const answer = await this.transport.send({ method: "DELETE", path: `Sessions/${sid}` });
    if (isSuccess(answer) || answer.status === 404) this.live.delete(sid);
    return answer;
  }

  /** Deletes everything still here; returns what may remain, for the user to see. */
  async deleteAll(): Promise<string[]> {
    if (this.unanswered.size > 0) await this.findUnanswered();
    const left = [...this.lost];
    for (const [sid, name] of [...this.live]) {
      const label = `${sid} (${name ?? "no unique name"})`;
      try {
        const answer = await this.delete(sid);
        if (this.live.has(sid)) left.push(`${label}: delete answered ${answer.status}`);
      } catch (err) {
        left.push(`${label}: ${(err as Error).message}`);
      }
    }
    return left;
  }

  /**
   * Looks for sessions carrying the names of unanswered creates and adds them to the ones to
   * delete; the names it cannot settle are kept as lost.
   */
  private async findUnanswered(): Promise<void> {
    let path = "Sessions?PageSize=100";
    try {
      for (let page = 0; page < MAX_SEARCH_PAGES && this.unanswered.size > 0; page++) {
        const answer = await this.transport.send({ method: "GET", path });
        if (!isSuccess(answer)) throw new RunFailure(`listing sessions answered ${answer.status}`);
        for (const s of (field(answer, "sessions") ?? []) as Array<Record<string, unknown>>) {
          const name = s.unique_name;
          if (typeof name === "string" && this.unanswered.delete(name)) {
            this.live.set(s.sid as string, name);
          }
        }
        const meta = field(answer, "meta") as { next_page_url?: unknown } | undefined;
        if (typeof meta?.next_page_url !== "string") {
          this.unanswered.clear(); // the whole list is read: those creates never happened
          break;
        }
        path = meta.next_page_url;
      }
    } catch (err) {
      const why = (err as Error).message;
      this.settle((name) => `${name}: may exist, not found (${why})`);
      return;
    }
    this.settle((name) => `${name}: may exist (not in the first ${MAX_SEARCH_PAGES} pages)`);
  }

  private settle(describe: (name: string) => string): void {
    this.lost.push(...[...this.unanswered].map(describe));
    this.unanswered.clear();
  }
}
