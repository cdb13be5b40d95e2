/**
 * # TrafficEngine — CityFlow's microscopic traffic simulation, in TypeScript
 *
 * Reads the same network and flows as CityFlow 1.0 and follows its semantics (cityflow-project/
 * CityFlow, `src/engine/engine.cpp`, `src/vehicle/vehicle.cpp`, `src/vehicle/router.cpp`,
 * `src/roadnet/roadnet.cpp`, `src/flow/flow.cpp`, `src/roadnet/trafficlight.cpp`; spec §1.3–1.5):
 *
 * - **Step order** (`Engine::nextStep`): flows spawn into lane waiting buffers → handleWaiting
 *   (one vehicle per buffer may enter if the lane's tail is farther than `tail.len + minGap`) →
 *   notifyCross → getAction (every next speed from the same old state) → updateLocation (move;
 *   vehicles leaving a drivable are appended to the next one in order of their new distance,
 *   vehicles past the end of their last road finish) → updateAction → updateLeaderAndGap → the
 *   lights pass time (fixed-time mode only) → step + 1.
 * - **Speed** (`Vehicle::getNextSpeed`): min of maxSpeed, v + maxPosAcc·dt, the drivable's limit,
 *   the car-following speed (the two no-collision speeds and the headway term, verbatim) and,
 *   near an intersection, the intersection speed (stop before a red light or a full end lane if
 *   the vehicle can still brake, `turnSpeed` 8.3333 on turns, yield at crossings); never below
 *   v − maxNegAcc·dt; a negative speed stops the vehicle within `v²/(2·maxNegAcc)`.
 * - **Conflicts** at intersections: CityFlow's own rule (`Cross::canPass`), with crossings computed
 *   from the lane-link polylines. A vehicle that cannot yield (`canYield`) passes; otherwise the
 *   higher roadLink type (straight > left > right) passes, ties by steps to reach the crossing,
 *   then by lane-link entry step, then by distance, then by a random priority; a cycle of blockers
 *   (deadlock) lets the vehicle go.
 * - **Routing**: anchors joined by shortest path (see `route-planner.ts`); first lane random among
 *   the lanes of the first road with a link to the second; then the lane link whose end lane leads
 *   on to the road after next and whose lane index is closest to the current one. No lane changes.
 * - **Metrics**: average travel time exactly as `Engine::getAverageTravelTime` (finished vehicles'
 *   trip times plus the elapsed time of every created, unfinished vehicle — waiting buffers
 *   included — over their count), lane vehicle counts, lane waiting counts (speed < 0.1 m/s),
 *   vehicle speeds, finished count.
 *
 * Deviations (documented, not silent): random draws (first lane, vehicle priority) come from
 * NetMARL's seeded `Rng`, not `std::mt19937`, so runs match CityFlow statistically, not bit for
 * bit; vehicle priorities are not forced unique (ties are then broken by slot number); no lane
 * changing and no replay output.
 *
 * Memory layout: structure of arrays on typed arrays indexed by vehicle slot (slots are reused),
 * per-drivable doubly linked lists (`head` = front vehicle, largest distance), no per-vehicle
 * objects in the step loop.
 */

import { createRng, type Rng } from "../random/rng.js";
import type { FlowSpec, VehicleParameters } from "./cityflow-files.js";
import type { RoadNetwork } from "./road-network.js";

const YIELD_DISTANCE = 5;
const TURN_SPEED = 8.3333;
const EPS = 1e-8;
/** CityFlow's `std::numeric_limits<int>::max()` for "not on a lane link". */
const NOT_ON_LINK = 2147483647;
const WAITING_SPEED = 0.1;
const PLAN_CAPACITY = 8;

const STATE_FREE = 0;
const STATE_WAITING = 1;
const STATE_RUNNING = 2;

export interface TrafficEngineOptions {
  /** Seconds per step (`interval`). */
  interval?: number;
  /** Seed of the engine's generator (first lanes, priorities). */
  seed?: number;
  /** When true, phases change only through `setPhase`; otherwise they cycle by their `time`. */
  rlTrafficLight?: boolean;
}

/** Output arrays of {@link TrafficEngine.readRunningVehicles}. */
export interface RunningVehicleArrays {
  readonly number: Int32Array;
  readonly drivable: Int32Array;
  readonly distance: Float64Array;
  readonly speed: Float64Array;
  readonly length: Float64Array;
  readonly width: Float64Array;
}

export class TrafficEngine {
  readonly network: RoadNetwork;
  readonly interval: number;
  readonly rlTrafficLight: boolean;
  private rng: Rng;
  private readonly seed: number;

  // ---- routes and vehicle types
  private routePool: Int32Array = new Int32Array(64);
  private routeStart: number[] = [];
  private routeLength: number[] = [];
  private routePoolUsed = 0;
  /** Per route: the lanes of road 0 with a link to road 1 (the random first-lane choice). */
  private routeFirstLanes: Int32Array[] = [];
  private readonly typeParams: VehicleParameters[] = [];

  // ---- flows
  private readonly flowRoute: Int32Array;
  private readonly flowType: Int32Array;
  private readonly flowInterval: Float64Array;
  private readonly flowStart: Float64Array;
  private readonly flowEnd: Float64Array;
  private readonly flowNowTime: Float64Array;
  private readonly flowCurrentTime: Float64Array;
  private readonly flowCount: Int32Array;

  // ---- drivables
  private readonly dHead: Int32Array;
  private readonly dTail: Int32Array;
  private readonly dCount: Int32Array;
  private readonly wHead: Int32Array;
  private readonly wTail: Int32Array;
  private readonly waitingLanes: Int32Array;
  private readonly laneInWaitingList: Uint8Array;
  private numWaitingLanes = 0;

  // ---- lights
  private readonly lightPhase: Int32Array;
  private readonly lightRemain: Float64Array;
  private readonly roadLinkGreen: Uint8Array;

  // ---- crossings
  private readonly notifyVehicle: Int32Array;
  private readonly notifyDistance: Float64Array;
  private readonly touchedCrosses: Int32Array;
  private readonly crossTouched: Uint8Array;
  private numTouchedCrosses = 0;
  private readonly linkMark: Int32Array;
  private readonly activeLinks: Int32Array;

  // ---- vehicles (structure of arrays, grown by doubling)
  private capacity = 0;
  private highWater = 0;
  private freeSlots: Int32Array = new Int32Array(0);
  private numFree = 0;
  private vState = new Uint8Array(0);
  private vSpeed = new Float64Array(0);
  private vDis = new Float64Array(0);
  private vDrivable = new Int32Array(0);
  private vPrevDrivable = new Int32Array(0);
  private vLeader = new Int32Array(0);
  private vGap = new Float64Array(0);
  private vBlocker = new Int32Array(0);
  private vEnterTime = new Float64Array(0);
  private vEnterLinkTime = new Float64Array(0);
  private vPriority = new Float64Array(0);
  private vRoute = new Int32Array(0);
  private vRoutePos = new Int32Array(0);
  private vFlow = new Int32Array(0);
  private vSerial = new Int32Array(0);
  /** Creation number of the vehicle in its slot (0, 1, … per reset): a stable id for replays. */
  private vNumber = new Int32Array(0);
  private vWidth = new Float64Array(0);
  private vNext = new Int32Array(0);
  private vPrev = new Int32Array(0);
  private vLen = new Float64Array(0);
  private vMaxPosAcc = new Float64Array(0);
  private vMaxNegAcc = new Float64Array(0);
  private vUsualPosAcc = new Float64Array(0);
  private vUsualNegAcc = new Float64Array(0);
  private vMinGap = new Float64Array(0);
  private vMaxSpeed = new Float64Array(0);
  private vHeadway = new Float64Array(0);
  private vApproach = new Float64Array(0);
  private vPlan = new Int32Array(0);
  private vPlanCount = new Uint8Array(0);
  private bSpeed = new Float64Array(0);
  private bDis = new Float64Array(0);
  private bDrivable = new Int32Array(0);
  private bDrivableSet = new Uint8Array(0);
  private bEnd = new Uint8Array(0);
  private bBlocker = new Int32Array(0);
  private bBlockerSet = new Uint8Array(0);
  private removed = new Uint8Array(0);
  private pushBuffer = new Int32Array(0);
  private numPush = 0;

  // ---- counters
  private stepCount = 0;
  private stepListener: (() => void) | undefined;
  private finished = 0;
  private created = 0;
  private cumulativeTravelTime = 0;
  private activeCount = 0;
  private activeEnterTimeSum = 0;
  private runningCount = 0;

  constructor(network: RoadNetwork, flows: readonly FlowSpec[], options: TrafficEngineOptions = {}) {
    this.network = network;
    this.interval = options.interval ?? 1;
    if (!(this.interval > 0))
      throw new RangeError(`TrafficEngine: interval = ${this.interval}; expected > 0`);
    this.rlTrafficLight = options.rlTrafficLight ?? false;
    this.seed = options.seed ?? 0;
    this.rng = createRng(this.seed);
    const numFlows = flows.length;
    this.flowRoute = new Int32Array(numFlows);
    this.flowType = new Int32Array(numFlows);
    this.flowInterval = new Float64Array(numFlows);
    this.flowStart = new Float64Array(numFlows);
    this.flowEnd = new Float64Array(numFlows);
    this.flowNowTime = new Float64Array(numFlows);
    this.flowCurrentTime = new Float64Array(numFlows);
    this.flowCount = new Int32Array(numFlows);
    const routeIds = new Map<string, number>();
    flows.forEach((flow, f) => {
      const key = flow.expandedRoute.join(",");
      let route = routeIds.get(key);
      if (route === undefined) {
        route = this.addRoute(flow.expandedRoute);
        routeIds.set(key, route);
      }
      this.flowRoute[f] = route;
      this.flowType[f] = this.addVehicleType(flow.vehicle);
      this.flowInterval[f] = flow.interval;
      this.flowStart[f] = flow.startTime;
      this.flowEnd[f] = flow.endTime;
    });

    const D = network.numDrivables;
    const L = network.numLanes;
    this.dHead = new Int32Array(D);
    this.dTail = new Int32Array(D);
    this.dCount = new Int32Array(D);
    this.wHead = new Int32Array(L);
    this.wTail = new Int32Array(L);
    this.waitingLanes = new Int32Array(L);
    this.laneInWaitingList = new Uint8Array(L);
    this.lightPhase = new Int32Array(network.numIntersections);
    this.lightRemain = new Float64Array(network.numIntersections);
    this.roadLinkGreen = new Uint8Array(network.numRoadLinks);
    this.notifyVehicle = new Int32Array(2 * network.numCrosses);
    this.notifyDistance = new Float64Array(2 * network.numCrosses);
    this.touchedCrosses = new Int32Array(network.numCrosses);
    this.crossTouched = new Uint8Array(network.numCrosses);
    this.linkMark = new Int32Array(network.numLaneLinks);
    this.activeLinks = new Int32Array(network.numLaneLinks);
    this.grow(256);
    this.reset();
  }

  /** Registers a full route (road indices, consecutive roads linked); returns its id. */
  addRoute(roads: readonly number[]): number {
    const net = this.network;
    if (roads.length < 2) throw new RangeError("TrafficEngine.addRoute: a route needs at least 2 roads");
    const firstLanes: number[] = [];
    for (let l = net.roadLaneStart[roads[0]]; l < net.roadLaneStart[roads[0] + 1]; l++) {
      if (net.laneLeadsToRoad(l, roads[1])) firstLanes.push(l);
    }
    if (firstLanes.length === 0) {
      throw new RangeError(
        `TrafficEngine.addRoute: no lane of ${net.roadIds[roads[0]]} links to ${net.roadIds[roads[1]]}`,
      );
    }
    while (this.routePoolUsed + roads.length > this.routePool.length) {
      const bigger = new Int32Array(this.routePool.length * 2);
      bigger.set(this.routePool);
      this.routePool = bigger;
    }
    this.routeStart.push(this.routePoolUsed);
    this.routeLength.push(roads.length);
    this.routePool.set(roads, this.routePoolUsed);
    this.routePoolUsed += roads.length;
    this.routeFirstLanes.push(Int32Array.from(firstLanes));
    return this.routeStart.length - 1;
  }

  /** Registers vehicle parameters for `spawnVehicle`/`insertVehicle`; returns the type id. */
  addVehicleType(params: VehicleParameters): number {
    this.typeParams.push({ ...params });
    return this.typeParams.length - 1;
  }

  /** Restarts the simulation (time 0, no vehicles, phase 0), re-seeding when a seed is given. */
  reset(seed?: number): void {
    this.rng = createRng(seed ?? this.seed);
    this.dHead.fill(-1);
    this.dTail.fill(-1);
    this.dCount.fill(0);
    this.wHead.fill(-1);
    this.wTail.fill(-1);
    this.laneInWaitingList.fill(0);
    this.numWaitingLanes = 0;
    this.notifyVehicle.fill(-1);
    this.crossTouched.fill(0);
    this.numTouchedCrosses = 0;
    this.linkMark.fill(-1);
    this.vState.fill(STATE_FREE);
    this.highWater = 0;
    this.numFree = 0;
    this.numPush = 0;
    this.stepCount = 0;
    this.finished = 0;
    this.created = 0;
    this.cumulativeTravelTime = 0;
    this.activeCount = 0;
    this.activeEnterTimeSum = 0;
    this.runningCount = 0;
    for (let f = 0; f < this.flowRoute.length; f++) {
      this.flowNowTime[f] = this.flowInterval[f];
      this.flowCurrentTime[f] = 0;
      this.flowCount[f] = 0;
    }
    const net = this.network;
    for (let i = 0; i < net.numIntersections; i++) {
      this.lightPhase[i] = 0;
      this.lightRemain[i] = net.intersectionVirtual[i] ? 0 : net.phaseTime[net.phaseStart[i]];
      this.refreshGreen(i);
    }
  }

  // ------------------------------------------------------------------ public state

  /** Simulated time in seconds (`step × interval`). */
  get currentTime(): number {
    return this.stepCount * this.interval;
  }

  get steps(): number {
    return this.stepCount;
  }

  /** Vehicles that reached the end of their route. */
  get vehiclesFinished(): number {
    return this.finished;
  }

  /** Vehicles created so far (finished + running + waiting). */
  get vehiclesCreated(): number {
    return this.created;
  }

  /** Vehicles on lanes or lane links (not in waiting buffers). */
  get runningVehicles(): number {
    return this.runningCount;
  }

  /** Created and not finished, waiting buffers included (CityFlow's vehicle pool). */
  get activeVehicles(): number {
    return this.activeCount;
  }

  /** `Engine::getAverageTravelTime`: (Σ finished trip times + Σ active elapsed times) / count. */
  averageTravelTime(): number {
    const n = this.finished + this.activeCount;
    if (n === 0) return 0;
    return (this.cumulativeTravelTime + this.activeCount * this.currentTime - this.activeEnterTimeSum) / n;
  }

  /** Running vehicles per lane (lane links and waiting buffers not counted), into `out`. */
  laneVehicleCounts(out: Int32Array = new Int32Array(this.network.numLanes)): Int32Array {
    out.set(this.dCount.subarray(0, this.network.numLanes));
    return out;
  }

  /** Number of running vehicles on lane `lane`. */
  laneVehicleCount(lane: number): number {
    return this.dCount[lane];
  }

  /** Vehicles with speed < 0.1 m/s on each lane, into `out`. */
  laneWaitingCounts(out: Int32Array = new Int32Array(this.network.numLanes)): Int32Array {
    for (let l = 0; l < this.network.numLanes; l++) out[l] = this.laneWaitingCount(l);
    return out;
  }

  /** Vehicles with speed < 0.1 m/s on lane `lane`. */
  laneWaitingCount(lane: number): number {
    let count = 0;
    for (let v = this.dHead[lane]; v >= 0; v = this.vNext[v]) if (this.vSpeed[v] < WAITING_SPEED) count++;
    return count;
  }

  /** Sum of speeds and count of the running vehicles on a drivable (for mean-speed rewards). */
  drivableSpeedSum(drivable: number): number {
    let sum = 0;
    for (let v = this.dHead[drivable]; v >= 0; v = this.vNext[v]) sum += this.vSpeed[v];
    return sum;
  }

  /** Distances of the vehicles on a drivable (front first) written into `out`; returns the count. */
  drivableVehicleDistances(drivable: number, out: Float64Array): number {
    let n = 0;
    for (let v = this.dHead[drivable]; v >= 0 && n < out.length; v = this.vNext[v]) out[n++] = this.vDis[v];
    return n;
  }

  /** Speeds of all running vehicles (slot order) into `out`; returns how many were written. */
  vehicleSpeeds(out: Float64Array): number {
    let n = 0;
    for (let v = 0; v < this.highWater && n < out.length; v++) {
      if (this.vState[v] === STATE_RUNNING) out[n++] = this.vSpeed[v];
    }
    return n;
  }

  /** Ids (`flow_<flow>_<serial>`, as CityFlow) of the running vehicles, in slot order. */
  runningVehicleIds(): string[] {
    const ids: string[] = [];
    for (let v = 0; v < this.highWater; v++) {
      if (this.vState[v] === STATE_RUNNING) ids.push(`flow_${this.vFlow[v]}_${this.vSerial[v]}`);
    }
    return ids;
  }

  /**
   * The running vehicles in slot order (as `vehicleSpeeds`): creation number, drivable, distance
   * along it, speed, length and width, each into its array (at least `runningVehicles` long).
   * Returns the count. For recorders; reads only.
   */
  readRunningVehicles(out: RunningVehicleArrays): number {
    let n = 0;
    for (let v = 0; v < this.highWater; v++) {
      if (this.vState[v] !== STATE_RUNNING) continue;
      out.number[n] = this.vNumber[v];
      out.drivable[n] = this.vDrivable[v];
      out.distance[n] = this.vDis[v];
      out.speed[n] = this.vSpeed[v];
      out.length[n] = this.vLen[v];
      out.width[n] = this.vWidth[v];
      n++;
    }
    return n;
  }

  /** Current phase index of intersection i (-1 = all red, set through `setPhase`). */
  phase(intersection: number): number {
    return this.lightPhase[intersection];
  }

  /** Sets the phase of a light (CityFlow's `set_tl_phase`); -1 makes every roadLink red. */
  setPhase(intersection: number, phase: number): void {
    const net = this.network;
    if (net.intersectionVirtual[intersection]) {
      throw new RangeError(
        `TrafficEngine.setPhase: ${net.intersectionIds[intersection]} is virtual (no light)`,
      );
    }
    if (!Number.isInteger(phase) || phase < -1 || phase >= net.numPhases(intersection)) {
      throw new RangeError(
        `TrafficEngine.setPhase: phase ${phase} of ${net.intersectionIds[intersection]}; expected -1 … ${net.numPhases(intersection) - 1}`,
      );
    }
    this.lightPhase[intersection] = phase;
    this.refreshGreen(intersection);
  }

  /** Whether roadLink g (global number) has green now. */
  roadLinkIsGreen(roadLink: number): boolean {
    return this.roadLinkGreen[roadLink] === 1;
  }

  /**
   * Adds a vehicle of type `type` on route `route` to the waiting buffer of a random first lane,
   * as a flow would (created now).
   */
  spawnVehicle(route: number, type: number): void {
    this.createVehicle(route, type, -1);
  }

  /**
   * Places a running vehicle directly on `lane` (the first road of `route`) at `distance` with
   * `speed`, behind every vehicle already there. Refused (returns false) unless the lane is empty or
   * its last vehicle's rear is at least `clearance` (default: the type's minGap) ahead of `distance`.
   */
  insertVehicle(
    route: number,
    type: number,
    lane: number,
    distance: number,
    speed: number,
    clearance = this.typeParams[type].minGap,
  ): boolean {
    const tail = this.dTail[lane];
    if (tail >= 0 && this.vDis[tail] - this.vLen[tail] - distance < clearance) return false;
    if (this.network.laneRoad[lane] !== this.routePool[this.routeStart[route]]) {
      throw new RangeError("TrafficEngine.insertVehicle: lane is not on the route's first road");
    }
    const v = this.createVehicle(route, type, -1, false);
    this.vDrivable[v] = lane;
    this.vState[v] = STATE_RUNNING;
    this.runningCount++;
    this.vDis[v] = distance;
    this.vSpeed[v] = speed;
    this.appendToDrivable(v, lane);
    this.updateLeaderAndGap(v, tail);
    return true;
  }

  // ------------------------------------------------------------------ the step

  /** Advances the simulation by one interval. */
  nextStep(): void {
    const net = this.network;
    const dt = this.interval;
    // 1. flows
    for (let f = 0; f < this.flowRoute.length; f++) {
      if (this.flowEnd[f] !== -1 && this.flowCurrentTime[f] > this.flowEnd[f]) continue;
      if (this.flowCurrentTime[f] >= this.flowStart[f]) {
        while (this.flowNowTime[f] >= this.flowInterval[f]) {
          this.createVehicle(this.flowRoute[f], this.flowType[f], f);
          this.flowNowTime[f] -= this.flowInterval[f];
        }
        this.flowNowTime[f] += dt;
      }
      this.flowCurrentTime[f] += dt;
    }
    // 2. waiting buffers
    this.handleWaiting();
    // 3. crossings
    this.notifyCrosses();
    // 4. next speeds from the old state
    this.numPush = 0;
    for (let v = 0; v < this.highWater; v++) if (this.vState[v] === STATE_RUNNING) this.getAction(v);
    // 5. move
    this.updateLocation();
    // 6. commit
    for (let v = 0; v < this.highWater; v++) if (this.vState[v] === STATE_RUNNING) this.commit(v);
    for (let v = 0; v < this.highWater; v++) this.removed[v] = 0;
    // 7. leaders and gaps
    for (let v = 0; v < this.highWater; v++) {
      if (this.vState[v] === STATE_RUNNING) this.updateLeaderAndGap(v, this.vPrev[v]);
    }
    // 8. lights
    if (!this.rlTrafficLight) {
      for (let i = 0; i < net.numIntersections; i++) {
        if (net.intersectionVirtual[i]) continue;
        this.lightRemain[i] -= dt;
        if (this.lightRemain[i] <= 0) {
          const first = net.phaseStart[i];
          const count = net.phaseStart[i + 1] - first;
          while (this.lightRemain[i] <= 0) {
            this.lightPhase[i] = (this.lightPhase[i] + 1) % count;
            this.lightRemain[i] += net.phaseTime[first + this.lightPhase[i]];
          }
          this.refreshGreen(i);
        }
      }
    }
    this.stepCount++;
    this.stepListener?.();
  }

  /**
   * Calls `listener` after every `nextStep` — where CityFlow's `saveReplay` logs — for recorders
   * that must see each engine step; it must only read. `undefined` removes it.
   */
  setStepListener(listener: (() => void) | undefined): void {
    this.stepListener = listener;
  }

  private refreshGreen(i: number): void {
    const net = this.network;
    const first = net.intersectionRoadLinkStart[i];
    const count = net.intersectionRoadLinkStart[i + 1] - first;
    const phase = this.lightPhase[i];
    if (net.intersectionVirtual[i] || phase < 0) {
      this.roadLinkGreen.fill(0, first, first + count);
      return;
    }
    const base = net.phaseGreenStart[net.phaseStart[i] + phase];
    for (let k = 0; k < count; k++) this.roadLinkGreen[first + k] = net.phaseGreen[base + k];
  }

  private createVehicle(route: number, type: number, flow: number, toBuffer = true): number {
    const v = this.allocate();
    const p = this.typeParams[type];
    this.vLen[v] = p.length;
    this.vWidth[v] = p.width;
    this.vNumber[v] = this.created;
    this.vMaxPosAcc[v] = p.maxPosAcc;
    this.vMaxNegAcc[v] = p.maxNegAcc;
    this.vUsualPosAcc[v] = p.usualPosAcc;
    this.vUsualNegAcc[v] = p.usualNegAcc;
    this.vMinGap[v] = p.minGap;
    this.vMaxSpeed[v] = p.maxSpeed;
    this.vHeadway[v] = p.headwayTime;
    this.vApproach[v] = (p.maxSpeed * p.maxSpeed) / p.usualNegAcc / 2 + p.maxSpeed * this.interval * 2;
    this.vSpeed[v] = 0;
    this.vDis[v] = 0;
    this.vPrevDrivable[v] = -1;
    this.vLeader[v] = -1;
    this.vGap[v] = 0;
    this.vBlocker[v] = -1;
    this.vEnterTime[v] = this.currentTime;
    this.vEnterLinkTime[v] = NOT_ON_LINK;
    this.vPriority[v] = this.rng.nextUint32();
    this.vRoute[v] = route;
    this.vRoutePos[v] = 0;
    this.vFlow[v] = flow;
    this.vSerial[v] = flow >= 0 ? this.flowCount[flow]++ : this.created;
    this.vNext[v] = -1;
    this.vPrev[v] = -1;
    this.vPlanCount[v] = 0;
    this.bDrivableSet[v] = 0;
    this.bEnd[v] = 0;
    this.bBlockerSet[v] = 0;
    this.removed[v] = 0;
    this.created++;
    this.activeCount++;
    this.activeEnterTimeSum += this.currentTime;
    if (toBuffer) {
      const lanes = this.routeFirstLanes[route];
      const lane = lanes[lanes.length === 1 ? 0 : this.rng.int(lanes.length)];
      this.vDrivable[v] = lane;
      this.vState[v] = STATE_WAITING;
      if (this.wTail[lane] >= 0) this.vNext[this.wTail[lane]] = v;
      else this.wHead[lane] = v;
      this.wTail[lane] = v;
      if (!this.laneInWaitingList[lane]) {
        this.laneInWaitingList[lane] = 1;
        this.waitingLanes[this.numWaitingLanes++] = lane;
      }
    }
    return v;
  }

  private handleWaiting(): void {
    let kept = 0;
    for (let k = 0; k < this.numWaitingLanes; k++) {
      const lane = this.waitingLanes[k];
      const v = this.wHead[lane];
      const tail = this.dTail[lane];
      if (tail < 0 || this.vDis[tail] > this.vLen[tail] + this.vMinGap[v]) {
        const next = this.vNext[v];
        this.wHead[lane] = next;
        if (next < 0) this.wTail[lane] = -1;
        this.vNext[v] = -1;
        this.vState[v] = STATE_RUNNING;
        this.runningCount++;
        this.appendToDrivable(v, lane);
        this.updateLeaderAndGap(v, tail);
      }
      if (this.wHead[lane] >= 0) this.waitingLanes[kept++] = lane;
      else this.laneInWaitingList[lane] = 0;
    }
    this.numWaitingLanes = kept;
  }

  private appendToDrivable(v: number, d: number): void {
    const tail = this.dTail[d];
    this.vPrev[v] = tail;
    this.vNext[v] = -1;
    if (tail >= 0) this.vNext[tail] = v;
    else this.dHead[d] = v;
    this.dTail[d] = v;
    this.dCount[d]++;
  }

  private removeFromDrivable(v: number, d: number): void {
    const prev = this.vPrev[v];
    const next = this.vNext[v];
    if (prev >= 0) this.vNext[prev] = next;
    else this.dHead[d] = next;
    if (next >= 0) this.vPrev[next] = prev;
    else this.dTail[d] = prev;
    this.vPrev[v] = -1;
    this.vNext[v] = -1;
    this.dCount[d]--;
  }

  // ------------------------------------------------------------------ routing

  /** The i-th drivable after the current one (`Router::getNextDrivable(i)`), -1 at the route's end. */
  private nextDrivable(v: number, i: number): number {
    const base = v * PLAN_CAPACITY;
    let count = this.vPlanCount[v];
    if (i < count) return this.vPlan[base + i];
    let current = count > 0 ? this.vPlan[base + count - 1] : this.vDrivable[v];
    let result = -1;
    for (let k = count; k <= i; k++) {
      result = current < 0 ? -1 : this.computeNextDrivable(v, current);
      if (count < PLAN_CAPACITY) this.vPlan[base + count++] = result;
      current = result;
    }
    this.vPlanCount[v] = count;
    return result;
  }

  private computeNextDrivable(v: number, current: number): number {
    const net = this.network;
    const L = net.numLanes;
    if (current >= L) return net.linkEndLane[current - L];
    const road = net.laneRoad[current];
    const start = this.routeStart[this.vRoute[v]];
    const length = this.routeLength[this.vRoute[v]];
    let p = this.vRoutePos[v];
    while (p < length && this.routePool[start + p] !== road) p++;
    if (p >= length - 1) return -1;
    const nextRoad = this.routePool[start + p + 1];
    const afterRoad = p + 2 < length ? this.routePool[start + p + 2] : -1;
    const laneIndex = net.laneIndexInRoad[current];
    let best = -1;
    let bestDiff = 2147483647;
    let fallback = -1;
    let fallbackDiff = 2147483647;
    for (let e = net.laneLinkOffsets[current]; e < net.laneLinkOffsets[current + 1]; e++) {
      const link = net.laneLinkList[e];
      const endLane = net.linkEndLane[link];
      if (net.laneRoad[endLane] !== nextRoad) continue;
      const diff = Math.abs(net.laneIndexInRoad[endLane] - laneIndex);
      if (diff < fallbackDiff) {
        fallbackDiff = diff;
        fallback = link;
      }
      if (afterRoad >= 0 && !net.laneLeadsToRoad(endLane, afterRoad)) continue;
      if (diff < bestDiff) {
        bestDiff = diff;
        best = link;
      }
    }
    // Fallback (CityFlow would assert): no end lane continues to the road after next.
    if (best < 0) best = fallback;
    return best < 0 ? -1 : L + best;
  }

  // ------------------------------------------------------------------ crossings

  private notify(c: number, side: number, v: number, distance: number): void {
    this.notifyVehicle[2 * c + side] = v;
    this.notifyDistance[2 * c + side] = distance;
    if (!this.crossTouched[c]) {
      this.crossTouched[c] = 1;
      this.touchedCrosses[this.numTouchedCrosses++] = c;
    }
  }

  private notifyCrosses(): void {
    const net = this.network;
    const L = net.numLanes;
    for (let k = 0; k < this.numTouchedCrosses; k++) {
      const c = this.touchedCrosses[k];
      this.notifyVehicle[2 * c] = -1;
      this.notifyVehicle[2 * c + 1] = -1;
      this.crossTouched[c] = 0;
    }
    this.numTouchedCrosses = 0;
    // Only lane links with a vehicle on them, a vehicle just past them or a first vehicle heading
    // into them can notify; each (crossing, side) is written by one link only, so order is free.
    const stamp = this.stepCount;
    let numActive = 0;
    for (let v = 0; v < this.highWater; v++) {
      if (this.vState[v] !== STATE_RUNNING) continue;
      const d = this.vDrivable[v];
      let link = -1;
      if (d >= L) link = d - L;
      else {
        if (this.vPrev[v] < 0) {
          const next = this.nextDrivable(v, 0);
          if (next >= L && this.linkMark[next - L] !== stamp) {
            this.linkMark[next - L] = stamp;
            this.activeLinks[numActive++] = next - L;
          }
        }
        if (this.vNext[v] < 0 && this.vPrevDrivable[v] >= L) link = this.vPrevDrivable[v] - L;
      }
      if (link >= 0 && this.linkMark[link] !== stamp) {
        this.linkMark[link] = stamp;
        this.activeLinks[numActive++] = link;
      }
    }
    for (let a = 0; a < numActive; a++) {
      const link = this.activeLinks[a];
      const first = net.linkCrossOffsets[link];
      let r = net.linkCrossOffsets[link + 1] - 1;
      if (r < first) continue;
      const drivable = L + link;
      const linkLength = net.drivableLength[drivable];
      // a) the last vehicle of the end lane, if it came through this link
      const last = this.dTail[net.linkEndLane[link]];
      if (last >= 0 && this.vPrevDrivable[last] === drivable) {
        const vehDistance = this.vDis[last] - this.vLen[last];
        while (r >= first) {
          const c = net.linkCrossList[r];
          const crossDistance = linkLength - net.crossDistance[2 * c + net.linkCrossSide[r]];
          if (crossDistance + vehDistance < 0) {
            this.notify(c, net.linkCrossSide[r], last, -(this.vDis[last] + crossDistance));
            r--;
          } else break;
        }
      }
      // b) the vehicles on the link, front first
      for (let v = this.dHead[drivable]; v >= 0; v = this.vNext[v]) {
        const vehDistance = this.vDis[v];
        while (r >= first) {
          const c = net.linkCrossList[r];
          const side = net.linkCrossSide[r];
          const crossDistance = net.crossDistance[2 * c + side];
          if (vehDistance > crossDistance) {
            if (vehDistance - crossDistance - this.vLen[v] <= 0)
              this.notify(c, side, v, crossDistance - vehDistance);
            else break;
          } else this.notify(c, side, v, crossDistance - vehDistance);
          r--;
        }
      }
      // c) the first vehicle of the start lane, if it heads into this link and the link is green
      const startLane = net.linkStartLane[link];
      const head = this.dHead[startLane];
      if (
        head >= 0 &&
        this.roadLinkGreen[net.linkRoadLink[link]] &&
        this.nextDrivable(head, 0) === drivable
      ) {
        const vehDistance = net.drivableLength[startLane] - this.vDis[head];
        while (r >= first) {
          const c = net.linkCrossList[r];
          const side = net.linkCrossSide[r];
          this.notify(c, side, head, vehDistance + net.crossDistance[2 * c + side]);
          r--;
        }
      }
    }
  }

  private canYield(v: number, distance: number): boolean {
    const minBrake = (0.5 * this.vSpeed[v] * this.vSpeed[v]) / this.vMaxNegAcc[v];
    return (
      (distance > 0 && minBrake < distance - YIELD_DISTANCE) || (distance < 0 && distance + this.vLen[v] < 0)
    );
  }

  private distanceUntilSpeed(v: number, speed: number, acc: number): number {
    const current = this.vSpeed[v];
    if (speed <= current) return 0;
    const dt = this.interval;
    const stage1Steps = Math.floor((speed - current) / acc / dt);
    // CityFlow multiplies by acc / interval here (not acc · interval); identical for interval 1.
    const stage1Speed = current + (stage1Steps * acc) / dt;
    const stage1Distance = ((current + stage1Speed) * (stage1Steps * dt)) / 2;
    return stage1Distance + (stage1Speed < speed ? ((stage1Speed + speed) * dt) / 2 : 0);
  }

  private reachSteps(v: number, distance: number, targetSpeed: number, acc: number): number {
    if (distance <= 0) return 0;
    const speed = this.vSpeed[v];
    if (speed > targetSpeed) return Math.ceil(distance / speed);
    const untilTarget = this.distanceUntilSpeed(v, targetSpeed, acc);
    const dt = this.interval;
    if (untilTarget > distance)
      return Math.ceil((Math.sqrt(speed * speed + 2 * acc * distance) - speed) / acc / dt);
    return (
      Math.ceil((targetSpeed - speed) / acc / dt) + Math.ceil((distance - untilTarget) / targetSpeed / dt)
    );
  }

  private reachStepsOnLink(v: number, distance: number, link: number): number {
    const target = this.network.linkIsTurn[link] ? TURN_SPEED : this.vMaxSpeed[v];
    return this.reachSteps(v, distance, target, this.vUsualPosAcc[v]);
  }

  /** `Cross::canPass` for vehicle v on side `side` of crossing c. */
  private canPass(v: number, c: number, side: number, distanceToLinkStart: number): boolean {
    const net = this.network;
    const other = 1 - side;
    const foe = this.notifyVehicle[2 * c + other];
    if (foe < 0) return true;
    const ownLink = net.crossLink[2 * c + side];
    const foeLink = net.crossLink[2 * c + other];
    const t1 = net.linkPriority[ownLink];
    const t2 = net.linkPriority[foeLink];
    const d1 = net.crossDistance[2 * c + side] - distanceToLinkStart;
    const d2 = this.notifyDistance[2 * c + other];
    if (!this.canYield(v, d1)) return true;
    let yieldFlag = 0;
    if (!this.canYield(foe, d2)) yieldFlag = 1;
    if (yieldFlag === 0) {
      if (t1 > t2) yieldFlag = -1;
      else if (t1 < t2) {
        if (d2 > 0) {
          const foeSteps = this.reachStepsOnLink(foe, d2, foeLink);
          const ownSteps = this.reachStepsOnLink(v, d1, ownLink);
          if (foeSteps > ownSteps) yieldFlag = -1;
        } else if (d2 + this.vLen[foe] < 0) yieldFlag = -1;
        if (yieldFlag === 0) yieldFlag = 1;
      } else if (d2 > 0) {
        const foeSteps = this.reachStepsOnLink(foe, d2, foeLink);
        const ownSteps = this.reachStepsOnLink(v, d1, ownLink);
        if (foeSteps > ownSteps) yieldFlag = -1;
        else if (foeSteps < ownSteps) yieldFlag = 1;
        else if (this.vEnterLinkTime[v] === this.vEnterLinkTime[foe]) {
          if (d1 === d2) {
            yieldFlag =
              this.vPriority[v] > this.vPriority[foe] ||
              (this.vPriority[v] === this.vPriority[foe] && v < foe)
                ? -1
                : 1;
          } else yieldFlag = d1 < d2 ? -1 : 1;
        } else yieldFlag = this.vEnterLinkTime[v] < this.vEnterLinkTime[foe] ? -1 : 1;
      } else yieldFlag = d2 + this.vLen[foe] < 0 ? -1 : 1;
    }
    if (yieldFlag === 1) {
      // Deadlock breaker: a cycle in the chain of blockers starting at the foe lets v go.
      let fast = foe;
      let slow = foe;
      while (fast >= 0 && this.vBlocker[fast] >= 0) {
        slow = this.vBlocker[slow];
        fast = this.vBlocker[this.vBlocker[fast]];
        if (slow === fast) {
          yieldFlag = -1;
          break;
        }
      }
    }
    return yieldFlag === -1;
  }

  // ------------------------------------------------------------------ vehicle control

  private stopBeforeSpeed(v: number, distance: number): number {
    const dt = this.interval;
    const speed = this.vSpeed[v];
    const accelerated = speed + this.vUsualPosAcc[v] * dt;
    const brakeAfterAccel =
      ((speed + accelerated) * dt) / 2 + (accelerated * accelerated) / this.vUsualNegAcc[v] / 2;
    if (brakeAfterAccel < distance) return accelerated;
    const takeInterval = (2 * distance) / (speed + EPS) / dt;
    if (takeInterval >= 1) return speed - speed / Math.trunc(takeInterval);
    return speed - speed / takeInterval;
  }

  private carFollowSpeed(v: number): number {
    const leader = this.vLeader[v];
    if (leader < 0) return this.vMaxSpeed[v];
    const dt = this.interval;
    const speed = this.vSpeed[v];
    const leaderSpeed = this.vSpeed[leader];
    const gap = this.vGap[v];
    let result = noCollisionSpeed(
      leaderSpeed,
      this.vMaxNegAcc[leader],
      speed,
      this.vMaxNegAcc[v],
      gap,
      dt,
      0,
    );
    const assumeDecel = speed > leaderSpeed ? speed - leaderSpeed : 0;
    const usual = noCollisionSpeed(
      leaderSpeed,
      this.vUsualNegAcc[leader],
      speed,
      this.vUsualNegAcc[v],
      gap,
      dt,
      this.vMinGap[v],
    );
    if (usual < result) result = usual;
    const headway =
      (gap + (leaderSpeed + assumeDecel / 2) * dt - (speed * dt) / 2) / (this.vHeadway[v] + dt / 2);
    return Math.min(headway, result);
  }

  private intersectionRelatedSpeed(v: number): number {
    const net = this.network;
    const L = net.numLanes;
    let result = this.vMaxSpeed[v];
    const current = this.vDrivable[v];
    const next = this.nextDrivable(v, 0);
    let link = -1;
    if (next >= L) {
      link = next - L;
      if (!this.roadLinkGreen[net.linkRoadLink[link]] || !this.canEnter(net.linkEndLane[link], v)) {
        const remaining = net.drivableLength[current] - this.vDis[v];
        const minBrake = (0.5 * this.vSpeed[v] * this.vSpeed[v]) / this.vMaxNegAcc[v];
        // A vehicle that can no longer stop runs the light (CityFlow's TODO branch).
        if (minBrake <= remaining) {
          const stop = this.stopBeforeSpeed(v, remaining);
          return Math.min(stop, result);
        }
      }
      if (net.linkIsTurn[link] && TURN_SPEED < result) result = TURN_SPEED;
    }
    if (link < 0 && current >= L) link = current - L;
    if (link < 0) return result;
    const distanceToLinkStart = current < L ? -(net.drivableLength[current] - this.vDis[v]) : this.vDis[v];
    for (let e = net.linkCrossOffsets[link]; e < net.linkCrossOffsets[link + 1]; e++) {
      const c = net.linkCrossList[e];
      const side = net.linkCrossSide[e];
      const distanceOnLink = net.crossDistance[2 * c + side];
      if (distanceOnLink < distanceToLinkStart) continue;
      if (!this.canPass(v, c, side, distanceToLinkStart)) {
        const stop = this.stopBeforeSpeed(v, distanceOnLink - distanceToLinkStart - YIELD_DISTANCE);
        if (stop < result) result = stop;
        this.bBlocker[v] = this.notifyVehicle[2 * c + 1 - side];
        this.bBlockerSet[v] = 1;
        break;
      }
    }
    return result;
  }

  private canEnter(lane: number, v: number): boolean {
    const tail = this.dTail[lane];
    if (tail < 0) return true;
    return this.vDis[tail] > this.vLen[tail] + this.vLen[v] || this.vSpeed[tail] >= 2;
  }

  private getAction(v: number): void {
    const net = this.network;
    const dt = this.interval;
    const speed = this.vSpeed[v];
    const current = this.vDrivable[v];
    this.bBlockerSet[v] = 0;
    let next = this.vMaxSpeed[v];
    const accelerated = speed + this.vMaxPosAcc[v] * dt;
    if (accelerated < next) next = accelerated;
    if (net.drivableMaxSpeed[current] < next) next = net.drivableMaxSpeed[current];
    const follow = this.carFollowSpeed(v);
    if (follow < next) next = follow;
    let related = current >= net.numLanes;
    if (!related) {
      const ahead = this.nextDrivable(v, 0);
      related = ahead >= net.numLanes && net.drivableLength[current] - this.vDis[v] <= this.vApproach[v];
    }
    if (related) {
      const limit = this.intersectionRelatedSpeed(v);
      if (limit < next) next = limit;
    }
    const floor = speed - this.vMaxNegAcc[v] * dt;
    if (floor > next) next = floor;
    let delta: number;
    if (next < 0) {
      delta = (0.5 * speed * speed) / this.vMaxNegAcc[v];
      next = 0;
    } else delta = ((speed + next) * dt) / 2;
    this.bSpeed[v] = next;
    // setDeltaDistance
    this.bEnd[v] = 0;
    this.bDrivableSet[v] = 0;
    let distance = delta + this.vDis[v];
    let drivable = current;
    for (let i = 0; drivable >= 0 && distance > net.drivableLength[drivable]; i++) {
      distance -= net.drivableLength[drivable];
      const following = this.nextDrivable(v, i);
      if (following < 0) this.bEnd[v] = 1;
      drivable = following;
      this.bDrivable[v] = drivable;
      this.bDrivableSet[v] = 1;
    }
    this.bDis[v] = distance;
    if (!this.bEnd[v] && this.bDrivableSet[v]) this.pushBuffer[this.numPush++] = v;
  }

  private readonly comparePush = (a: number, b: number): number => this.bDis[b] - this.bDis[a] || a - b;

  private updateLocation(): void {
    const now = this.currentTime;
    for (let v = 0; v < this.highWater; v++) {
      if (this.vState[v] !== STATE_RUNNING) continue;
      if (this.bEnd[v]) {
        this.removeFromDrivable(v, this.vDrivable[v]);
        this.finished++;
        this.cumulativeTravelTime += now - this.vEnterTime[v];
        this.activeCount--;
        this.activeEnterTimeSum -= this.vEnterTime[v];
        this.runningCount--;
        this.vState[v] = STATE_FREE;
        this.removed[v] = 1;
        this.freeSlots[this.numFree++] = v;
      } else if (this.bDrivableSet[v]) this.removeFromDrivable(v, this.vDrivable[v]);
    }
    const pushed = this.pushBuffer.subarray(0, this.numPush);
    if (this.numPush > 1) pushed.sort(this.comparePush);
    const L = this.network.numLanes;
    for (let k = 0; k < this.numPush; k++) {
      const v = pushed[k];
      const drivable = this.bDrivable[v];
      this.appendToDrivable(v, drivable);
      this.vEnterLinkTime[v] = drivable >= L ? this.stepCount : NOT_ON_LINK;
    }
  }

  private commit(v: number): void {
    const blocker = this.bBlockerSet[v] ? this.bBlocker[v] : -1;
    this.vBlocker[v] = blocker >= 0 && this.removed[blocker] ? -1 : blocker;
    this.vDis[v] = this.bDis[v];
    this.vSpeed[v] = this.bSpeed[v];
    if (this.bDrivableSet[v]) {
      const drivable = this.bDrivable[v];
      this.vPrevDrivable[v] = this.vDrivable[v];
      this.vDrivable[v] = drivable;
      this.bDrivableSet[v] = 0;
      const net = this.network;
      if (drivable < net.numLanes) {
        const road = net.laneRoad[drivable];
        const start = this.routeStart[this.vRoute[v]];
        const length = this.routeLength[this.vRoute[v]];
        let p = this.vRoutePos[v];
        while (p < length && this.routePool[start + p] !== road) p++;
        this.vRoutePos[v] = p;
      }
      // Router::update: drop planned drivables up to and including the new current one.
      const base = v * PLAN_CAPACITY;
      const count = this.vPlanCount[v];
      let cut = 0;
      while (cut < count && this.vPlan[base + cut] !== drivable) cut++;
      cut = cut < count ? cut + 1 : count;
      for (let k = cut; k < count; k++) this.vPlan[base + k - cut] = this.vPlan[base + k];
      this.vPlanCount[v] = count - cut;
    }
  }

  private updateLeaderAndGap(v: number, leader: number): void {
    const net = this.network;
    const current = this.vDrivable[v];
    if (leader >= 0 && this.vDrivable[leader] === current) {
      this.vLeader[v] = leader;
      this.vGap[v] = this.vDis[leader] - this.vLen[leader] - this.vDis[v];
      return;
    }
    this.vLeader[v] = -1;
    const L = net.numLanes;
    const maxSpeed = this.vMaxSpeed[v];
    const horizon = (maxSpeed * maxSpeed) / this.vUsualNegAcc[v] / 2 + maxSpeed * this.interval * 2;
    let distance = net.drivableLength[current] - this.vDis[v];
    for (let i = 0; ; i++) {
      const drivable = this.nextDrivable(v, i);
      if (drivable < 0) return;
      if (drivable >= L) {
        // Lane links from the same start lane overlap: the nearest last vehicle on any of them.
        const startLane = net.linkStartLane[drivable - L];
        for (let e = net.laneLinkOffsets[startLane]; e < net.laneLinkOffsets[startLane + 1]; e++) {
          const candidate = this.dTail[L + net.laneLinkList[e]];
          if (candidate < 0) continue;
          const gap = distance + this.vDis[candidate] - this.vLen[candidate];
          if (this.vLeader[v] < 0 || gap < this.vGap[v]) {
            this.vLeader[v] = candidate;
            this.vGap[v] = gap;
          }
        }
        if (this.vLeader[v] >= 0) return;
      } else {
        const last = this.dTail[drivable];
        if (last >= 0) {
          this.vLeader[v] = last;
          this.vGap[v] = distance + this.vDis[last] - this.vLen[last];
          return;
        }
      }
      distance += net.drivableLength[drivable];
      if (distance > horizon) return;
    }
  }

  // ------------------------------------------------------------------ storage

  private allocate(): number {
    if (this.numFree > 0) return this.freeSlots[--this.numFree];
    if (this.highWater === this.capacity) this.grow(this.capacity * 2);
    return this.highWater++;
  }

  private grow(capacity: number): void {
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, size = capacity) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(capacity);
      b.set(a);
      return b;
    };
    this.vState = u8(this.vState);
    this.vSpeed = f64(this.vSpeed);
    this.vDis = f64(this.vDis);
    this.vDrivable = i32(this.vDrivable);
    this.vPrevDrivable = i32(this.vPrevDrivable);
    this.vLeader = i32(this.vLeader);
    this.vGap = f64(this.vGap);
    this.vBlocker = i32(this.vBlocker);
    this.vEnterTime = f64(this.vEnterTime);
    this.vEnterLinkTime = f64(this.vEnterLinkTime);
    this.vPriority = f64(this.vPriority);
    this.vRoute = i32(this.vRoute);
    this.vRoutePos = i32(this.vRoutePos);
    this.vFlow = i32(this.vFlow);
    this.vSerial = i32(this.vSerial);
    this.vNumber = i32(this.vNumber);
    this.vWidth = f64(this.vWidth);
    this.vNext = i32(this.vNext);
    this.vPrev = i32(this.vPrev);
    this.vLen = f64(this.vLen);
    this.vMaxPosAcc = f64(this.vMaxPosAcc);
    this.vMaxNegAcc = f64(this.vMaxNegAcc);
    this.vUsualPosAcc = f64(this.vUsualPosAcc);
    this.vUsualNegAcc = f64(this.vUsualNegAcc);
    this.vMinGap = f64(this.vMinGap);
    this.vMaxSpeed = f64(this.vMaxSpeed);
    this.vHeadway = f64(this.vHeadway);
    this.vApproach = f64(this.vApproach);
    this.vPlan = i32(this.vPlan, capacity * PLAN_CAPACITY);
    this.vPlanCount = u8(this.vPlanCount);
    this.bSpeed = f64(this.bSpeed);
    this.bDis = f64(this.bDis);
    this.bDrivable = i32(this.bDrivable);
    this.bDrivableSet = u8(this.bDrivableSet);
    this.bEnd = u8(this.bEnd);
    this.bBlocker = i32(this.bBlocker);
    this.bBlockerSet = u8(this.bBlockerSet);
    this.removed = u8(this.removed);
    this.freeSlots = i32(this.freeSlots);
    this.pushBuffer = new Int32Array(capacity);
    this.capacity = capacity;
  }
}

/** `Vehicle::getNoCollisionSpeed`, verbatim. */
function noCollisionSpeed(
  leaderSpeed: number,
  leaderDecel: number,
  speed: number,
  decel: number,
  gap: number,
  dt: number,
  targetGap: number,
): number {
  const c = (speed * dt) / 2 + targetGap - (0.5 * leaderSpeed * leaderSpeed) / leaderDecel - gap;
  const a = 0.5 / decel;
  const b = 0.5 * dt;
  if (b * b < 4 * a * c) return -100;
  const v1 = (0.5 / a) * (Math.sqrt(b * b - 4 * a * c) - b);
  const v2 = 2 * leaderSpeed - leaderDecel * dt + (2 * (gap - targetGap)) / dt;
  return Math.min(v1, v2);
}
