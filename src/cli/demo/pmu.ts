/**
 * Synthetic micro-PMU data for the demo: the twelve channels of a three-phase phasor measurement unit (voltage and
 * current magnitudes and angles) sampled at a fixed rate, with measurement noise, a slow frequency drift and one
 * event (a voltage sag with a current surge). Every sample is a pure function of its channel and index, so the
 * data can be produced in chunks, in constant memory, and is the same on every run.
 */

/** One channel of the unit. */
export interface Channel {
  /** The BTrDB `name` tag, e.g. `L1MAG`. */
  readonly name: string
  /** The `unit` tag. */
  readonly unit: "volts" | "amps" | "deg"
  /** The phase, 0..2. */
  readonly phase: number
  readonly kind: "voltage" | "current"
  readonly quantity: "magnitude" | "angle"
}

/** The twelve channels, in the order micro-PMU collections list them. */
export const CHANNELS: ReadonlyArray<Channel> = ["L", "C"].flatMap((prefix) =>
  [1, 2, 3].flatMap((phase) =>
    (["MAG", "ANG"] as const).map((suffix): Channel => ({
      name: `${prefix}${phase}${suffix}`,
      unit: suffix === "ANG" ? "deg" : prefix === "L" ? "volts" : "amps",
      phase: phase - 1,
      kind: prefix === "L" ? "voltage" : "current",
      quantity: suffix === "ANG" ? "angle" : "magnitude"
    }))
  )
)

/** Where the demo's event happens and what it is. */
export interface Event {
  /** Seconds after the start. */
  readonly atSeconds: number
  readonly durationSeconds: number
  /** The fraction the voltage drops by (0.25 = a sag to 75 %). */
  readonly depth: number
}

/** What to generate. */
export interface PmuOptions {
  /** Samples per second (micro-PMUs report at 120 Hz). */
  readonly rateHz: number
  readonly event: Event
}

export const NOMINAL_VOLTS = 7200
const NOMINAL_AMPS = 120

/** A deterministic hash of (channel, index) to a uniform number in [0, 1). */
const uniform = (channel: number, index: number, salt: number): number => {
  let x = Math.imul(index ^ (channel * 0x9e3779b1) ^ (salt * 0x85ebca77), 0x27d4eb2d) >>> 0
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0
  x = Math.imul(x ^ (x >>> 12), 0x297a2d39) >>> 0
  return ((x ^ (x >>> 15)) >>> 0) / 4294967296
}

/** Approximately normal noise (sum of four uniforms), mean 0, standard deviation 1. */
const gaussian = (channel: number, index: number): number =>
  (uniform(channel, index, 1) + uniform(channel, index, 2) + uniform(channel, index, 3) + uniform(channel, index, 4) -
    2) * Math.sqrt(3)

/**
 * The phase drift in degrees at time t (seconds): the integral of a grid frequency wandering a few mHz around
 * nominal, 0.004·sin(2πt/900) + 0.002·sin(2πt/97) Hz.
 */
const drift = (t: number): number =>
  360 * (-0.004 * 900 / (2 * Math.PI) * Math.cos((2 * Math.PI * t) / 900) -
    0.002 * 97 / (2 * Math.PI) * Math.cos((2 * Math.PI * t) / 97))

const wrapDegrees = (d: number): number => {
  const w = ((d + 180) % 360 + 360) % 360 - 180
  return w === -180 ? 180 : w
}

/**
 * The value of sample `index` of `channel`. Load follows a daily-like slow swing; the event sags the voltage and
 * raises the current for its duration.
 */
export const sample = (channel: Channel, channelIndex: number, index: number, options: PmuOptions): number => {
  const t = index / options.rateHz
  const inEvent = t >= options.event.atSeconds && t < options.event.atSeconds + options.event.durationSeconds
  if (channel.quantity === "angle") {
    const base = -120 * channel.phase + (channel.kind === "current" ? -25 : 0)
    const eventShift = inEvent && channel.kind === "current" ? -15 : 0
    return wrapDegrees(base + drift(t) + eventShift + 0.05 * gaussian(channelIndex, index))
  }
  const load = 1 + 0.08 * Math.sin((2 * Math.PI * t) / 1800 + channel.phase)
  if (channel.kind === "voltage") {
    const sag = inEvent ? 1 - options.event.depth : 1
    return NOMINAL_VOLTS * (1 - 0.01 * (load - 1)) * sag + 4 * gaussian(channelIndex, index)
  }
  const surge = inEvent ? 1 + 2 * options.event.depth : 1
  return NOMINAL_AMPS * load * surge + 0.8 * gaussian(channelIndex, index)
}

/** Samples `[from, from + count)` of `channel` as columns, starting at `start` ns. */
export const chunk = (
  channelIndex: number,
  start: bigint,
  from: number,
  count: number,
  options: PmuOptions
): { times: BigInt64Array; values: Float64Array } => {
  const channel = CHANNELS[channelIndex]!
  const times = new BigInt64Array(count)
  const values = new Float64Array(count)
  const periodNs = 1e9 / options.rateHz
  for (let i = 0; i < count; i++) {
    const index = from + i
    times[i] = start + BigInt(Math.round(index * periodNs))
    values[i] = sample(channel, channelIndex, index, options)
  }
  return { times, values }
}
