// Original file: proto/btrdb.proto

import type { KeyOptValue as _v5api_KeyOptValue, KeyOptValue__Output as _v5api_KeyOptValue__Output } from '../v5api/KeyOptValue.js';

export interface CreateParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'collection'?: (string);
  'tags'?: (_v5api_KeyOptValue)[];
  'annotations'?: (_v5api_KeyOptValue)[];
}

export interface CreateParams__Output {
  'uuid': (Buffer);
  'collection': (string);
  'tags': (_v5api_KeyOptValue__Output)[];
  'annotations': (_v5api_KeyOptValue__Output)[];
}
