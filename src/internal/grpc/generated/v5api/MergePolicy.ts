// Original file: proto/btrdb.proto

export const MergePolicy = {
  NEVER: 'NEVER',
  EQUAL: 'EQUAL',
  RETAIN: 'RETAIN',
  REPLACE: 'REPLACE',
} as const;

export type MergePolicy =
  | 'NEVER'
  | 0
  | 'EQUAL'
  | 1
  | 'RETAIN'
  | 2
  | 'REPLACE'
  | 3

export type MergePolicy__Output = typeof MergePolicy[keyof typeof MergePolicy]
