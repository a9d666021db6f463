// Original file: proto/btrdb.proto

import type { KeyOptValue as _v5api_KeyOptValue, KeyOptValue__Output as _v5api_KeyOptValue__Output } from '../v5api/KeyOptValue.js';
import type { Long } from '@grpc/proto-loader';

export interface SetStreamAnnotationsParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'expectedPropertyVersion'?: (number | string | Long);
  'changes'?: (_v5api_KeyOptValue)[];
  'removals'?: (string)[];
}

export interface SetStreamAnnotationsParams__Output {
  'uuid': (Buffer);
  'expectedPropertyVersion': (string);
  'changes': (_v5api_KeyOptValue__Output)[];
  'removals': (string)[];
}
