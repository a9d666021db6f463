// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { ReducedResolutionRange as _v5api_ReducedResolutionRange, ReducedResolutionRange__Output as _v5api_ReducedResolutionRange__Output } from '../v5api/ReducedResolutionRange.js';
import type { Long } from '@grpc/proto-loader';

export interface GetCompactionConfigResponse {
  'stat'?: (_v5api_Status | null);
  'LatestMajorVersion'?: (number | string | Long);
  'CompactedVersion'?: (number | string | Long);
  'reducedResolutionRanges'?: (_v5api_ReducedResolutionRange)[];
  'unused0'?: (number | string | Long);
}

export interface GetCompactionConfigResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'LatestMajorVersion': (string);
  'CompactedVersion': (string);
  'reducedResolutionRanges': (_v5api_ReducedResolutionRange__Output)[];
  'unused0': (string);
}
