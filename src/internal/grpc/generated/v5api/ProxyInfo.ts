// Original file: proto/btrdb.proto


export interface ProxyInfo {
  'proxyEndpoints'?: (string)[];
}

export interface ProxyInfo__Output {
  'proxyEndpoints': (string)[];
}
