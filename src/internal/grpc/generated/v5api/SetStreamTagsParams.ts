// Original file: proto/btrdb.proto

import type { KeyOptValue as _v5api_KeyOptValue, KeyOptValue__Output as _v5api_KeyOptValue__Output } from '../v5api/KeyOptValue.js';
import type { Long } from '@grpc/proto-loader';

export interface SetStreamTagsParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'expectedPropertyVersion'?: (number | string | Long);
  'tags'?: (_v5api_KeyOptValue)[];
  'collection'?: (string);
  'remove'?: (string)[];
}

export interface SetStreamTagsParams__Output {
  'uuid': (Buffer);
  'expectedPropertyVersion': (string);
  'tags': (_v5api_KeyOptValue__Output)[];
  'collection': (string);
  'remove': (string)[];
}
