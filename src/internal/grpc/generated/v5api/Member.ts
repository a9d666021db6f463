// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface Member {
  'hash'?: (number);
  'nodename'?: (string);
  'up'?: (boolean);
  'in'?: (boolean);
  'enabled'?: (boolean);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'weight'?: (number | string | Long);
  'readPreference'?: (number | string);
  'httpEndpoints'?: (string);
  'grpcEndpoints'?: (string);
}

export interface Member__Output {
  'hash': (number);
  'nodename': (string);
  'up': (boolean);
  'in': (boolean);
  'enabled': (boolean);
  'start': (string);
  'end': (string);
  'weight': (string);
  'readPreference': (number);
  'httpEndpoints': (string);
  'grpcEndpoints': (string);
}
