// Original file: proto/btrdb.proto

export const SubscriptionUpdateOp = {
  ADD_UUIDS: 'ADD_UUIDS',
  REMOVE_UUIDS: 'REMOVE_UUIDS',
} as const;

export type SubscriptionUpdateOp =
  | 'ADD_UUIDS'
  | 0
  | 'REMOVE_UUIDS'
  | 1

export type SubscriptionUpdateOp__Output = typeof SubscriptionUpdateOp[keyof typeof SubscriptionUpdateOp]
