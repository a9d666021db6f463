// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { RawPoint as _v5api_RawPoint, RawPoint__Output as _v5api_RawPoint__Output } from '../v5api/RawPoint.js';
import type { Long } from '@grpc/proto-loader';

export interface NearestResponse {
  'stat'?: (_v5api_Status | null);
  'versionMajor'?: (number | string | Long);
  'versionMinor'?: (number | string | Long);
  'value'?: (_v5api_RawPoint | null);
}

export interface NearestResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'versionMajor': (string);
  'versionMinor': (string);
  'value': (_v5api_RawPoint__Output | null);
}
