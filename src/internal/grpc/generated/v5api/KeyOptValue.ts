// Original file: proto/btrdb.proto

import type { OptValue as _v5api_OptValue, OptValue__Output as _v5api_OptValue__Output } from '../v5api/OptValue.js';

export interface KeyOptValue {
  'key'?: (string);
  'val'?: (_v5api_OptValue | null);
}

export interface KeyOptValue__Output {
  'key': (string);
  'val': (_v5api_OptValue__Output | null);
}
