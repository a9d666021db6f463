// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { Long } from '@grpc/proto-loader';

export interface FlushResponse {
  'stat'?: (_v5api_Status | null);
  'versionMajor'?: (number | string | Long);
  'versionMinor'?: (number | string | Long);
}

export interface FlushResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'versionMajor': (string);
  'versionMinor': (string);
}
