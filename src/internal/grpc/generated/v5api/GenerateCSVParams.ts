// Original file: proto/btrdb.proto

import type { StreamCSVConfig as _v5api_StreamCSVConfig, StreamCSVConfig__Output as _v5api_StreamCSVConfig__Output } from '../v5api/StreamCSVConfig.js';
import type { Long } from '@grpc/proto-loader';

// Original file: proto/btrdb.proto

export const _v5api_GenerateCSVParams_QueryType = {
  ALIGNED_WINDOWS_QUERY: 'ALIGNED_WINDOWS_QUERY',
  WINDOWS_QUERY: 'WINDOWS_QUERY',
  RAW_QUERY: 'RAW_QUERY',
} as const;

export type _v5api_GenerateCSVParams_QueryType =
  | 'ALIGNED_WINDOWS_QUERY'
  | 0
  | 'WINDOWS_QUERY'
  | 1
  | 'RAW_QUERY'
  | 2

export type _v5api_GenerateCSVParams_QueryType__Output = typeof _v5api_GenerateCSVParams_QueryType[keyof typeof _v5api_GenerateCSVParams_QueryType]

export interface GenerateCSVParams {
  'queryType'?: (_v5api_GenerateCSVParams_QueryType);
  'startTime'?: (number | string | Long);
  'endTime'?: (number | string | Long);
  'windowSize'?: (number | string | Long);
  'depth'?: (number);
  'includeVersions'?: (boolean);
  'streams'?: (_v5api_StreamCSVConfig)[];
}

export interface GenerateCSVParams__Output {
  'queryType': (_v5api_GenerateCSVParams_QueryType__Output);
  'startTime': (string);
  'endTime': (string);
  'windowSize': (string);
  'depth': (number);
  'includeVersions': (boolean);
  'streams': (_v5api_StreamCSVConfig__Output)[];
}
