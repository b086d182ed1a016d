/**
 * RefreshingSource: the graph node behind a refreshing Table Data Service table. It attaches to
 * the key's shared location subscription and to each location's shared size subscription, and
 * buffers what becomes ready; the next cycle's flush makes it visible:
 *
 * - a location joins the table at the first cycle after it was delivered (index = discovery
 *   order; its rows live at keys `index * 2^32 + row`);
 * - rows become visible at the first cycle after their data has been read (reads start when a
 *   larger size arrives and run outside cycles, because a cycle's flush is synchronous);
 * - a failure (from the backend or from invalid data) fails the table at the next cycle and
 *   releases its subscriptions at once; `table.close()` releases them too.
 *
 * New rows of one location land in its own key range, so the table is add-only, not
 * append-only. `initialized` resolves once the locations that existed when the subscription
 * succeeded, and the rows of their initial sizes, are ready (or once the table failed).
 */
import { RowSetBuilder } from "../row-set.ts";
import { SourceNode } from "../sources/source-node.ts";
import { nodeOf } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { TableDataServiceError } from "./errors.ts";
import type { Lease } from "./location-data.ts";
import { locationBase, MAX_LOCATIONS, writeLocationRows } from "./location-rows.ts";
import type { LocationListener } from "./location-state.ts";
import type {
  LocationEntry,
  LocationSubscription,
  LocationsListener,
} from "./location-subscription.ts";
import type { TableDefinition } from "./table-definition.ts";

const ADD_ONLY = { refreshing: true, blink: false, appendOnly: false, addOnly: true };

class Slot implements LocationListener {
  readonly index: number;
  readonly entry: LocationEntry;
  readonly #owner: RefreshingSource;
  /** Rows shown in the table. */
  shown = 0;
  /** Rows read and waiting for the next cycle. */
  ready = 0;
  initialized = false;
  /** In the owner's list of slots to flush. */
  queued = false;
  /** Hold rows `[shown, ready)` in the page cache until they are copied. */
  leases: Lease[] = [];

  constructor(owner: RefreshingSource, index: number, entry: LocationEntry) {
    this.#owner = owner;
    this.index = index;
    this.entry = entry;
  }
  onReady(rows: number, lease: Lease): void {
    if (rows <= this.ready) {
      lease.release();
      return;
    }
    this.leases.push(lease);
    this.ready = rows;
    this.#owner._markReady(this);
  }
  onInitialized(): void {
    if (this.initialized) return;
    this.initialized = true;
    this.#owner._slotInitialized(this);
  }
  onFailure(error: unknown): void {
    this.#owner._failWith(error);
  }
  /** The rows read so far are copied (or no longer wanted): lets the cache evict them. */
  releaseLeases(): void {
    const leases = this.leases;
    this.leases = [];
    for (const l of leases) l.release();
  }
}

export class RefreshingSource extends SourceNode implements LocationsListener {
  readonly def: TableDefinition;
  /** Resolves when the initial snapshot is ready to show (or the table failed). */
  readonly initialized: Promise<void>;
  readonly #subscription: LocationSubscription;
  readonly #slots: Slot[] = [];
  /** Slots with rows ready to show at the next cycle. */
  #dirty: Slot[] = [];
  #joined = 0;
  #released = false;
  /** Locations delivered before the subscription succeeded (-1: not yet succeeded). */
  #initialCount = -1;
  /** Of those, how many still wait for their initial rows. */
  #initialPending = 0;
  #resolveInit: () => void = () => {};

  constructor(
    graph: UpdateGraph,
    def: TableDefinition,
    subscription: LocationSubscription,
    kind: string,
  ) {
    super(graph, def.schema, ADD_ONLY, kind);
    this.def = def;
    this.#subscription = subscription;
    this.initialized = new Promise((resolve) => {
      this.#resolveInit = resolve;
    });
    nodeOf(this.table).onClose(() => this.#release());
  }

  /** Subscribes (through the shared subscription); call once, after construction. */
  start(): void {
    this.#subscription.attach(this);
  }

  /** Locations in the table as of the last cycle, in index order. */
  get joinedCount(): number {
    return this.#joined;
  }

  /** The location with index `i`. */
  entryAt(i: number): LocationEntry {
    return this.#slots[i]!.entry;
  }

  // ---- LocationsListener ---------------------------------------------------------------------

  onLocation(entry: LocationEntry): void {
    if (this.#released) return;
    const index = this.#slots.length;
    if (index >= MAX_LOCATIONS) {
      this._failWith(
        new TableDataServiceError(
          `${this.def.keyText}:${entry.state.text}: too many locations; a table holds at most ${MAX_LOCATIONS}`,
          { tableKey: this.def.keyText, location: entry.state.text },
        ),
      );
      return;
    }
    const slot = new Slot(this, index, entry);
    this.#slots.push(slot);
    entry.state.attach(slot);
  }

  onLocationsSucceeded(): void {
    if (this.#released) return;
    this.#initialCount = this.#slots.length;
    this.#initialPending = this.#slots.filter((s) => !s.initialized).length;
    if (this.#initialPending === 0) this.#resolveInit();
  }

  onFailure(error: unknown): void {
    this._failWith(error);
  }

  /** @internal */
  _failWith(error: unknown): void {
    if (this.#released) return;
    this.failNext(error);
    this.#release();
    this.#resolveInit();
  }

  /** @internal */
  _slotInitialized(slot: Slot): void {
    if (slot.index >= this.#initialCount) return; // not succeeded yet, or a later location
    if (--this.#initialPending === 0) this.#resolveInit();
  }

  /** @internal */
  _markReady(slot: Slot): void {
    if (slot.queued || this.#released) return;
    slot.queued = true;
    this.#dirty.push(slot);
  }

  // ---- cycle ---------------------------------------------------------------------------------

  protected flush(): TableUpdate | null {
    const cols = this.columnsByName;
    const b = new RowSetBuilder();
    // Ascending location index gives ascending key ranges.
    const dirty = this.#dirty.sort((x, y) => x.index - y.index);
    this.#dirty = [];
    for (const s of dirty) {
      s.queued = false;
      if (s.ready <= s.shown) continue;
      const base = locationBase(s.index);
      writeLocationRows(cols, this.def, s.entry, base, s.shown, s.ready);
      b.addRange(base + s.shown, base + s.ready);
      s.shown = s.ready;
      s.releaseLeases();
    }
    this.#joined = this.#slots.length;
    if (b.isEmpty) return null;
    const added = b.build();
    nodeOf(this.table).setRowSet(this.table.rowSet.union(added));
    return makeUpdate(added);
  }

  protected override onFailed(): void {
    this.#release();
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const s of this.#slots) {
      s.entry.state.detach(s);
      s.releaseLeases();
    }
    this.#subscription.detach(this);
  }
}
