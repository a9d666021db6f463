// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface FaultInjectParams {
  'type'?: (number | string | Long);
  'params'?: (Buffer | Uint8Array | string);
}

export interface FaultInjectParams__Output {
  'type': (string);
  'params': (Buffer);
}
