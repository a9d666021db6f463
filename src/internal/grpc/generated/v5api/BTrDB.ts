// Original file: proto/btrdb.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AlignedWindowsParams as _v5api_AlignedWindowsParams, AlignedWindowsParams__Output as _v5api_AlignedWindowsParams__Output } from '../v5api/AlignedWindowsParams.js';
import type { AlignedWindowsResponse as _v5api_AlignedWindowsResponse, AlignedWindowsResponse__Output as _v5api_AlignedWindowsResponse__Output } from '../v5api/AlignedWindowsResponse.js';
import type { ArrowAlignedWindowsResponse as _v5api_ArrowAlignedWindowsResponse, ArrowAlignedWindowsResponse__Output as _v5api_ArrowAlignedWindowsResponse__Output } from '../v5api/ArrowAlignedWindowsResponse.js';
import type { ArrowInsertParams as _v5api_ArrowInsertParams, ArrowInsertParams__Output as _v5api_ArrowInsertParams__Output } from '../v5api/ArrowInsertParams.js';
import type { ArrowMultiValuesParams as _v5api_ArrowMultiValuesParams, ArrowMultiValuesParams__Output as _v5api_ArrowMultiValuesParams__Output } from '../v5api/ArrowMultiValuesParams.js';
import type { ArrowMultiValuesResponse as _v5api_ArrowMultiValuesResponse, ArrowMultiValuesResponse__Output as _v5api_ArrowMultiValuesResponse__Output } from '../v5api/ArrowMultiValuesResponse.js';
import type { ArrowRawValuesParams as _v5api_ArrowRawValuesParams, ArrowRawValuesParams__Output as _v5api_ArrowRawValuesParams__Output } from '../v5api/ArrowRawValuesParams.js';
import type { ArrowRawValuesResponse as _v5api_ArrowRawValuesResponse, ArrowRawValuesResponse__Output as _v5api_ArrowRawValuesResponse__Output } from '../v5api/ArrowRawValuesResponse.js';
import type { ArrowWindowsResponse as _v5api_ArrowWindowsResponse, ArrowWindowsResponse__Output as _v5api_ArrowWindowsResponse__Output } from '../v5api/ArrowWindowsResponse.js';
import type { ChangesParams as _v5api_ChangesParams, ChangesParams__Output as _v5api_ChangesParams__Output } from '../v5api/ChangesParams.js';
import type { ChangesResponse as _v5api_ChangesResponse, ChangesResponse__Output as _v5api_ChangesResponse__Output } from '../v5api/ChangesResponse.js';
import type { CreateParams as _v5api_CreateParams, CreateParams__Output as _v5api_CreateParams__Output } from '../v5api/CreateParams.js';
import type { CreateResponse as _v5api_CreateResponse, CreateResponse__Output as _v5api_CreateResponse__Output } from '../v5api/CreateResponse.js';
import type { DeleteParams as _v5api_DeleteParams, DeleteParams__Output as _v5api_DeleteParams__Output } from '../v5api/DeleteParams.js';
import type { DeleteResponse as _v5api_DeleteResponse, DeleteResponse__Output as _v5api_DeleteResponse__Output } from '../v5api/DeleteResponse.js';
import type { FaultInjectParams as _v5api_FaultInjectParams, FaultInjectParams__Output as _v5api_FaultInjectParams__Output } from '../v5api/FaultInjectParams.js';
import type { FaultInjectResponse as _v5api_FaultInjectResponse, FaultInjectResponse__Output as _v5api_FaultInjectResponse__Output } from '../v5api/FaultInjectResponse.js';
import type { FlushParams as _v5api_FlushParams, FlushParams__Output as _v5api_FlushParams__Output } from '../v5api/FlushParams.js';
import type { FlushResponse as _v5api_FlushResponse, FlushResponse__Output as _v5api_FlushResponse__Output } from '../v5api/FlushResponse.js';
import type { GenerateCSVParams as _v5api_GenerateCSVParams, GenerateCSVParams__Output as _v5api_GenerateCSVParams__Output } from '../v5api/GenerateCSVParams.js';
import type { GenerateCSVResponse as _v5api_GenerateCSVResponse, GenerateCSVResponse__Output as _v5api_GenerateCSVResponse__Output } from '../v5api/GenerateCSVResponse.js';
import type { InfoParams as _v5api_InfoParams, InfoParams__Output as _v5api_InfoParams__Output } from '../v5api/InfoParams.js';
import type { InfoResponse as _v5api_InfoResponse, InfoResponse__Output as _v5api_InfoResponse__Output } from '../v5api/InfoResponse.js';
import type { InsertParams as _v5api_InsertParams, InsertParams__Output as _v5api_InsertParams__Output } from '../v5api/InsertParams.js';
import type { InsertResponse as _v5api_InsertResponse, InsertResponse__Output as _v5api_InsertResponse__Output } from '../v5api/InsertResponse.js';
import type { ListCollectionsParams as _v5api_ListCollectionsParams, ListCollectionsParams__Output as _v5api_ListCollectionsParams__Output } from '../v5api/ListCollectionsParams.js';
import type { ListCollectionsResponse as _v5api_ListCollectionsResponse, ListCollectionsResponse__Output as _v5api_ListCollectionsResponse__Output } from '../v5api/ListCollectionsResponse.js';
import type { LookupStreamsParams as _v5api_LookupStreamsParams, LookupStreamsParams__Output as _v5api_LookupStreamsParams__Output } from '../v5api/LookupStreamsParams.js';
import type { LookupStreamsResponse as _v5api_LookupStreamsResponse, LookupStreamsResponse__Output as _v5api_LookupStreamsResponse__Output } from '../v5api/LookupStreamsResponse.js';
import type { MetadataUsageParams as _v5api_MetadataUsageParams, MetadataUsageParams__Output as _v5api_MetadataUsageParams__Output } from '../v5api/MetadataUsageParams.js';
import type { MetadataUsageResponse as _v5api_MetadataUsageResponse, MetadataUsageResponse__Output as _v5api_MetadataUsageResponse__Output } from '../v5api/MetadataUsageResponse.js';
import type { NearestParams as _v5api_NearestParams, NearestParams__Output as _v5api_NearestParams__Output } from '../v5api/NearestParams.js';
import type { NearestResponse as _v5api_NearestResponse, NearestResponse__Output as _v5api_NearestResponse__Output } from '../v5api/NearestResponse.js';
import type { ObliterateParams as _v5api_ObliterateParams, ObliterateParams__Output as _v5api_ObliterateParams__Output } from '../v5api/ObliterateParams.js';
import type { ObliterateResponse as _v5api_ObliterateResponse, ObliterateResponse__Output as _v5api_ObliterateResponse__Output } from '../v5api/ObliterateResponse.js';
import type { RawValuesParams as _v5api_RawValuesParams, RawValuesParams__Output as _v5api_RawValuesParams__Output } from '../v5api/RawValuesParams.js';
import type { RawValuesResponse as _v5api_RawValuesResponse, RawValuesResponse__Output as _v5api_RawValuesResponse__Output } from '../v5api/RawValuesResponse.js';
import type { SQLQueryParams as _v5api_SQLQueryParams, SQLQueryParams__Output as _v5api_SQLQueryParams__Output } from '../v5api/SQLQueryParams.js';
import type { SQLQueryResponse as _v5api_SQLQueryResponse, SQLQueryResponse__Output as _v5api_SQLQueryResponse__Output } from '../v5api/SQLQueryResponse.js';
import type { SetStreamAnnotationsParams as _v5api_SetStreamAnnotationsParams, SetStreamAnnotationsParams__Output as _v5api_SetStreamAnnotationsParams__Output } from '../v5api/SetStreamAnnotationsParams.js';
import type { SetStreamAnnotationsResponse as _v5api_SetStreamAnnotationsResponse, SetStreamAnnotationsResponse__Output as _v5api_SetStreamAnnotationsResponse__Output } from '../v5api/SetStreamAnnotationsResponse.js';
import type { SetStreamTagsParams as _v5api_SetStreamTagsParams, SetStreamTagsParams__Output as _v5api_SetStreamTagsParams__Output } from '../v5api/SetStreamTagsParams.js';
import type { SetStreamTagsResponse as _v5api_SetStreamTagsResponse, SetStreamTagsResponse__Output as _v5api_SetStreamTagsResponse__Output } from '../v5api/SetStreamTagsResponse.js';
import type { StreamInfoParams as _v5api_StreamInfoParams, StreamInfoParams__Output as _v5api_StreamInfoParams__Output } from '../v5api/StreamInfoParams.js';
import type { StreamInfoResponse as _v5api_StreamInfoResponse, StreamInfoResponse__Output as _v5api_StreamInfoResponse__Output } from '../v5api/StreamInfoResponse.js';
import type { SubscriptionResp as _v5api_SubscriptionResp, SubscriptionResp__Output as _v5api_SubscriptionResp__Output } from '../v5api/SubscriptionResp.js';
import type { SubscriptionUpdate as _v5api_SubscriptionUpdate, SubscriptionUpdate__Output as _v5api_SubscriptionUpdate__Output } from '../v5api/SubscriptionUpdate.js';
import type { WindowsParams as _v5api_WindowsParams, WindowsParams__Output as _v5api_WindowsParams__Output } from '../v5api/WindowsParams.js';
import type { WindowsResponse as _v5api_WindowsResponse, WindowsResponse__Output as _v5api_WindowsResponse__Output } from '../v5api/WindowsResponse.js';

export interface BTrDBClient extends grpc.Client {
  AlignedWindows(argument: _v5api_AlignedWindowsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_AlignedWindowsResponse__Output>;
  AlignedWindows(argument: _v5api_AlignedWindowsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_AlignedWindowsResponse__Output>;
  alignedWindows(argument: _v5api_AlignedWindowsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_AlignedWindowsResponse__Output>;
  alignedWindows(argument: _v5api_AlignedWindowsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_AlignedWindowsResponse__Output>;
  
  ArrowAlignedWindows(argument: _v5api_AlignedWindowsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowAlignedWindowsResponse__Output>;
  ArrowAlignedWindows(argument: _v5api_AlignedWindowsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowAlignedWindowsResponse__Output>;
  arrowAlignedWindows(argument: _v5api_AlignedWindowsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowAlignedWindowsResponse__Output>;
  arrowAlignedWindows(argument: _v5api_AlignedWindowsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowAlignedWindowsResponse__Output>;
  
  ArrowInsert(argument: _v5api_ArrowInsertParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  ArrowInsert(argument: _v5api_ArrowInsertParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  ArrowInsert(argument: _v5api_ArrowInsertParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  ArrowInsert(argument: _v5api_ArrowInsertParams, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  arrowInsert(argument: _v5api_ArrowInsertParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  arrowInsert(argument: _v5api_ArrowInsertParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  arrowInsert(argument: _v5api_ArrowInsertParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  arrowInsert(argument: _v5api_ArrowInsertParams, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  
  ArrowMultiValues(argument: _v5api_ArrowMultiValuesParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowMultiValuesResponse__Output>;
  ArrowMultiValues(argument: _v5api_ArrowMultiValuesParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowMultiValuesResponse__Output>;
  arrowMultiValues(argument: _v5api_ArrowMultiValuesParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowMultiValuesResponse__Output>;
  arrowMultiValues(argument: _v5api_ArrowMultiValuesParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowMultiValuesResponse__Output>;
  
  ArrowRawValues(argument: _v5api_ArrowRawValuesParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowRawValuesResponse__Output>;
  ArrowRawValues(argument: _v5api_ArrowRawValuesParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowRawValuesResponse__Output>;
  arrowRawValues(argument: _v5api_ArrowRawValuesParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowRawValuesResponse__Output>;
  arrowRawValues(argument: _v5api_ArrowRawValuesParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowRawValuesResponse__Output>;
  
  ArrowWindows(argument: _v5api_WindowsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowWindowsResponse__Output>;
  ArrowWindows(argument: _v5api_WindowsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowWindowsResponse__Output>;
  arrowWindows(argument: _v5api_WindowsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowWindowsResponse__Output>;
  arrowWindows(argument: _v5api_WindowsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ArrowWindowsResponse__Output>;
  
  Changes(argument: _v5api_ChangesParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ChangesResponse__Output>;
  Changes(argument: _v5api_ChangesParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ChangesResponse__Output>;
  changes(argument: _v5api_ChangesParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ChangesResponse__Output>;
  changes(argument: _v5api_ChangesParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ChangesResponse__Output>;
  
  Create(argument: _v5api_CreateParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _v5api_CreateParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _v5api_CreateParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _v5api_CreateParams, callback: grpc.requestCallback<_v5api_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _v5api_CreateParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _v5api_CreateParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _v5api_CreateParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _v5api_CreateParams, callback: grpc.requestCallback<_v5api_CreateResponse__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _v5api_DeleteParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _v5api_DeleteParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _v5api_DeleteParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _v5api_DeleteParams, callback: grpc.requestCallback<_v5api_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _v5api_DeleteParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _v5api_DeleteParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _v5api_DeleteParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _v5api_DeleteParams, callback: grpc.requestCallback<_v5api_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  FaultInject(argument: _v5api_FaultInjectParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_FaultInjectResponse__Output>): grpc.ClientUnaryCall;
  FaultInject(argument: _v5api_FaultInjectParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_FaultInjectResponse__Output>): grpc.ClientUnaryCall;
  FaultInject(argument: _v5api_FaultInjectParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_FaultInjectResponse__Output>): grpc.ClientUnaryCall;
  FaultInject(argument: _v5api_FaultInjectParams, callback: grpc.requestCallback<_v5api_FaultInjectResponse__Output>): grpc.ClientUnaryCall;
  faultInject(argument: _v5api_FaultInjectParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_FaultInjectResponse__Output>): grpc.ClientUnaryCall;
  faultInject(argument: _v5api_FaultInjectParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_FaultInjectResponse__Output>): grpc.ClientUnaryCall;
  faultInject(argument: _v5api_FaultInjectParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_FaultInjectResponse__Output>): grpc.ClientUnaryCall;
  faultInject(argument: _v5api_FaultInjectParams, callback: grpc.requestCallback<_v5api_FaultInjectResponse__Output>): grpc.ClientUnaryCall;
  
  Flush(argument: _v5api_FlushParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_FlushResponse__Output>): grpc.ClientUnaryCall;
  Flush(argument: _v5api_FlushParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_FlushResponse__Output>): grpc.ClientUnaryCall;
  Flush(argument: _v5api_FlushParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_FlushResponse__Output>): grpc.ClientUnaryCall;
  Flush(argument: _v5api_FlushParams, callback: grpc.requestCallback<_v5api_FlushResponse__Output>): grpc.ClientUnaryCall;
  flush(argument: _v5api_FlushParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_FlushResponse__Output>): grpc.ClientUnaryCall;
  flush(argument: _v5api_FlushParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_FlushResponse__Output>): grpc.ClientUnaryCall;
  flush(argument: _v5api_FlushParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_FlushResponse__Output>): grpc.ClientUnaryCall;
  flush(argument: _v5api_FlushParams, callback: grpc.requestCallback<_v5api_FlushResponse__Output>): grpc.ClientUnaryCall;
  
  GenerateCSV(argument: _v5api_GenerateCSVParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_GenerateCSVResponse__Output>;
  GenerateCSV(argument: _v5api_GenerateCSVParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_GenerateCSVResponse__Output>;
  generateCsv(argument: _v5api_GenerateCSVParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_GenerateCSVResponse__Output>;
  generateCsv(argument: _v5api_GenerateCSVParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_GenerateCSVResponse__Output>;
  
  GetMetadataUsage(argument: _v5api_MetadataUsageParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_MetadataUsageResponse__Output>): grpc.ClientUnaryCall;
  GetMetadataUsage(argument: _v5api_MetadataUsageParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_MetadataUsageResponse__Output>): grpc.ClientUnaryCall;
  GetMetadataUsage(argument: _v5api_MetadataUsageParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_MetadataUsageResponse__Output>): grpc.ClientUnaryCall;
  GetMetadataUsage(argument: _v5api_MetadataUsageParams, callback: grpc.requestCallback<_v5api_MetadataUsageResponse__Output>): grpc.ClientUnaryCall;
  getMetadataUsage(argument: _v5api_MetadataUsageParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_MetadataUsageResponse__Output>): grpc.ClientUnaryCall;
  getMetadataUsage(argument: _v5api_MetadataUsageParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_MetadataUsageResponse__Output>): grpc.ClientUnaryCall;
  getMetadataUsage(argument: _v5api_MetadataUsageParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_MetadataUsageResponse__Output>): grpc.ClientUnaryCall;
  getMetadataUsage(argument: _v5api_MetadataUsageParams, callback: grpc.requestCallback<_v5api_MetadataUsageResponse__Output>): grpc.ClientUnaryCall;
  
  Info(argument: _v5api_InfoParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InfoResponse__Output>): grpc.ClientUnaryCall;
  Info(argument: _v5api_InfoParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_InfoResponse__Output>): grpc.ClientUnaryCall;
  Info(argument: _v5api_InfoParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InfoResponse__Output>): grpc.ClientUnaryCall;
  Info(argument: _v5api_InfoParams, callback: grpc.requestCallback<_v5api_InfoResponse__Output>): grpc.ClientUnaryCall;
  info(argument: _v5api_InfoParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InfoResponse__Output>): grpc.ClientUnaryCall;
  info(argument: _v5api_InfoParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_InfoResponse__Output>): grpc.ClientUnaryCall;
  info(argument: _v5api_InfoParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InfoResponse__Output>): grpc.ClientUnaryCall;
  info(argument: _v5api_InfoParams, callback: grpc.requestCallback<_v5api_InfoResponse__Output>): grpc.ClientUnaryCall;
  
  Insert(argument: _v5api_InsertParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  Insert(argument: _v5api_InsertParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  Insert(argument: _v5api_InsertParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  Insert(argument: _v5api_InsertParams, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  insert(argument: _v5api_InsertParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  insert(argument: _v5api_InsertParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  insert(argument: _v5api_InsertParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  insert(argument: _v5api_InsertParams, callback: grpc.requestCallback<_v5api_InsertResponse__Output>): grpc.ClientUnaryCall;
  
  ListCollections(argument: _v5api_ListCollectionsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ListCollectionsResponse__Output>;
  ListCollections(argument: _v5api_ListCollectionsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ListCollectionsResponse__Output>;
  listCollections(argument: _v5api_ListCollectionsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ListCollectionsResponse__Output>;
  listCollections(argument: _v5api_ListCollectionsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_ListCollectionsResponse__Output>;
  
  LookupStreams(argument: _v5api_LookupStreamsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_LookupStreamsResponse__Output>;
  LookupStreams(argument: _v5api_LookupStreamsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_LookupStreamsResponse__Output>;
  lookupStreams(argument: _v5api_LookupStreamsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_LookupStreamsResponse__Output>;
  lookupStreams(argument: _v5api_LookupStreamsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_LookupStreamsResponse__Output>;
  
  Nearest(argument: _v5api_NearestParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_NearestResponse__Output>): grpc.ClientUnaryCall;
  Nearest(argument: _v5api_NearestParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_NearestResponse__Output>): grpc.ClientUnaryCall;
  Nearest(argument: _v5api_NearestParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_NearestResponse__Output>): grpc.ClientUnaryCall;
  Nearest(argument: _v5api_NearestParams, callback: grpc.requestCallback<_v5api_NearestResponse__Output>): grpc.ClientUnaryCall;
  nearest(argument: _v5api_NearestParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_NearestResponse__Output>): grpc.ClientUnaryCall;
  nearest(argument: _v5api_NearestParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_NearestResponse__Output>): grpc.ClientUnaryCall;
  nearest(argument: _v5api_NearestParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_NearestResponse__Output>): grpc.ClientUnaryCall;
  nearest(argument: _v5api_NearestParams, callback: grpc.requestCallback<_v5api_NearestResponse__Output>): grpc.ClientUnaryCall;
  
  Obliterate(argument: _v5api_ObliterateParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_ObliterateResponse__Output>): grpc.ClientUnaryCall;
  Obliterate(argument: _v5api_ObliterateParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_ObliterateResponse__Output>): grpc.ClientUnaryCall;
  Obliterate(argument: _v5api_ObliterateParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_ObliterateResponse__Output>): grpc.ClientUnaryCall;
  Obliterate(argument: _v5api_ObliterateParams, callback: grpc.requestCallback<_v5api_ObliterateResponse__Output>): grpc.ClientUnaryCall;
  obliterate(argument: _v5api_ObliterateParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_ObliterateResponse__Output>): grpc.ClientUnaryCall;
  obliterate(argument: _v5api_ObliterateParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_ObliterateResponse__Output>): grpc.ClientUnaryCall;
  obliterate(argument: _v5api_ObliterateParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_ObliterateResponse__Output>): grpc.ClientUnaryCall;
  obliterate(argument: _v5api_ObliterateParams, callback: grpc.requestCallback<_v5api_ObliterateResponse__Output>): grpc.ClientUnaryCall;
  
  RawValues(argument: _v5api_RawValuesParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_RawValuesResponse__Output>;
  RawValues(argument: _v5api_RawValuesParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_RawValuesResponse__Output>;
  rawValues(argument: _v5api_RawValuesParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_RawValuesResponse__Output>;
  rawValues(argument: _v5api_RawValuesParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_RawValuesResponse__Output>;
  
  SQLQuery(argument: _v5api_SQLQueryParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_SQLQueryResponse__Output>;
  SQLQuery(argument: _v5api_SQLQueryParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_SQLQueryResponse__Output>;
  sqlQuery(argument: _v5api_SQLQueryParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_SQLQueryResponse__Output>;
  sqlQuery(argument: _v5api_SQLQueryParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_SQLQueryResponse__Output>;
  
  SetStreamAnnotations(argument: _v5api_SetStreamAnnotationsParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_SetStreamAnnotationsResponse__Output>): grpc.ClientUnaryCall;
  SetStreamAnnotations(argument: _v5api_SetStreamAnnotationsParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_SetStreamAnnotationsResponse__Output>): grpc.ClientUnaryCall;
  SetStreamAnnotations(argument: _v5api_SetStreamAnnotationsParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_SetStreamAnnotationsResponse__Output>): grpc.ClientUnaryCall;
  SetStreamAnnotations(argument: _v5api_SetStreamAnnotationsParams, callback: grpc.requestCallback<_v5api_SetStreamAnnotationsResponse__Output>): grpc.ClientUnaryCall;
  setStreamAnnotations(argument: _v5api_SetStreamAnnotationsParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_SetStreamAnnotationsResponse__Output>): grpc.ClientUnaryCall;
  setStreamAnnotations(argument: _v5api_SetStreamAnnotationsParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_SetStreamAnnotationsResponse__Output>): grpc.ClientUnaryCall;
  setStreamAnnotations(argument: _v5api_SetStreamAnnotationsParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_SetStreamAnnotationsResponse__Output>): grpc.ClientUnaryCall;
  setStreamAnnotations(argument: _v5api_SetStreamAnnotationsParams, callback: grpc.requestCallback<_v5api_SetStreamAnnotationsResponse__Output>): grpc.ClientUnaryCall;
  
  SetStreamTags(argument: _v5api_SetStreamTagsParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_SetStreamTagsResponse__Output>): grpc.ClientUnaryCall;
  SetStreamTags(argument: _v5api_SetStreamTagsParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_SetStreamTagsResponse__Output>): grpc.ClientUnaryCall;
  SetStreamTags(argument: _v5api_SetStreamTagsParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_SetStreamTagsResponse__Output>): grpc.ClientUnaryCall;
  SetStreamTags(argument: _v5api_SetStreamTagsParams, callback: grpc.requestCallback<_v5api_SetStreamTagsResponse__Output>): grpc.ClientUnaryCall;
  setStreamTags(argument: _v5api_SetStreamTagsParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_SetStreamTagsResponse__Output>): grpc.ClientUnaryCall;
  setStreamTags(argument: _v5api_SetStreamTagsParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_SetStreamTagsResponse__Output>): grpc.ClientUnaryCall;
  setStreamTags(argument: _v5api_SetStreamTagsParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_SetStreamTagsResponse__Output>): grpc.ClientUnaryCall;
  setStreamTags(argument: _v5api_SetStreamTagsParams, callback: grpc.requestCallback<_v5api_SetStreamTagsResponse__Output>): grpc.ClientUnaryCall;
  
  StreamInfo(argument: _v5api_StreamInfoParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_StreamInfoResponse__Output>): grpc.ClientUnaryCall;
  StreamInfo(argument: _v5api_StreamInfoParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_StreamInfoResponse__Output>): grpc.ClientUnaryCall;
  StreamInfo(argument: _v5api_StreamInfoParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_StreamInfoResponse__Output>): grpc.ClientUnaryCall;
  StreamInfo(argument: _v5api_StreamInfoParams, callback: grpc.requestCallback<_v5api_StreamInfoResponse__Output>): grpc.ClientUnaryCall;
  streamInfo(argument: _v5api_StreamInfoParams, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_StreamInfoResponse__Output>): grpc.ClientUnaryCall;
  streamInfo(argument: _v5api_StreamInfoParams, metadata: grpc.Metadata, callback: grpc.requestCallback<_v5api_StreamInfoResponse__Output>): grpc.ClientUnaryCall;
  streamInfo(argument: _v5api_StreamInfoParams, options: grpc.CallOptions, callback: grpc.requestCallback<_v5api_StreamInfoResponse__Output>): grpc.ClientUnaryCall;
  streamInfo(argument: _v5api_StreamInfoParams, callback: grpc.requestCallback<_v5api_StreamInfoResponse__Output>): grpc.ClientUnaryCall;
  
  Subscribe(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_v5api_SubscriptionUpdate, _v5api_SubscriptionResp__Output>;
  Subscribe(options?: grpc.CallOptions): grpc.ClientDuplexStream<_v5api_SubscriptionUpdate, _v5api_SubscriptionResp__Output>;
  subscribe(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_v5api_SubscriptionUpdate, _v5api_SubscriptionResp__Output>;
  subscribe(options?: grpc.CallOptions): grpc.ClientDuplexStream<_v5api_SubscriptionUpdate, _v5api_SubscriptionResp__Output>;
  
  Windows(argument: _v5api_WindowsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_WindowsResponse__Output>;
  Windows(argument: _v5api_WindowsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_WindowsResponse__Output>;
  windows(argument: _v5api_WindowsParams, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_WindowsResponse__Output>;
  windows(argument: _v5api_WindowsParams, options?: grpc.CallOptions): grpc.ClientReadableStream<_v5api_WindowsResponse__Output>;
  
}

export interface BTrDBHandlers extends grpc.UntypedServiceImplementation {
  AlignedWindows: grpc.handleServerStreamingCall<_v5api_AlignedWindowsParams__Output, _v5api_AlignedWindowsResponse>;
  
  ArrowAlignedWindows: grpc.handleServerStreamingCall<_v5api_AlignedWindowsParams__Output, _v5api_ArrowAlignedWindowsResponse>;
  
  ArrowInsert: grpc.handleUnaryCall<_v5api_ArrowInsertParams__Output, _v5api_InsertResponse>;
  
  ArrowMultiValues: grpc.handleServerStreamingCall<_v5api_ArrowMultiValuesParams__Output, _v5api_ArrowMultiValuesResponse>;
  
  ArrowRawValues: grpc.handleServerStreamingCall<_v5api_ArrowRawValuesParams__Output, _v5api_ArrowRawValuesResponse>;
  
  ArrowWindows: grpc.handleServerStreamingCall<_v5api_WindowsParams__Output, _v5api_ArrowWindowsResponse>;
  
  Changes: grpc.handleServerStreamingCall<_v5api_ChangesParams__Output, _v5api_ChangesResponse>;
  
  Create: grpc.handleUnaryCall<_v5api_CreateParams__Output, _v5api_CreateResponse>;
  
  Delete: grpc.handleUnaryCall<_v5api_DeleteParams__Output, _v5api_DeleteResponse>;
  
  FaultInject: grpc.handleUnaryCall<_v5api_FaultInjectParams__Output, _v5api_FaultInjectResponse>;
  
  Flush: grpc.handleUnaryCall<_v5api_FlushParams__Output, _v5api_FlushResponse>;
  
  GenerateCSV: grpc.handleServerStreamingCall<_v5api_GenerateCSVParams__Output, _v5api_GenerateCSVResponse>;
  
  GetMetadataUsage: grpc.handleUnaryCall<_v5api_MetadataUsageParams__Output, _v5api_MetadataUsageResponse>;
  
  Info: grpc.handleUnaryCall<_v5api_InfoParams__Output, _v5api_InfoResponse>;
  
  Insert: grpc.handleUnaryCall<_v5api_InsertParams__Output, _v5api_InsertResponse>;
  
  ListCollections: grpc.handleServerStreamingCall<_v5api_ListCollectionsParams__Output, _v5api_ListCollectionsResponse>;
  
  LookupStreams: grpc.handleServerStreamingCall<_v5api_LookupStreamsParams__Output, _v5api_LookupStreamsResponse>;
  
  Nearest: grpc.handleUnaryCall<_v5api_NearestParams__Output, _v5api_NearestResponse>;
  
  Obliterate: grpc.handleUnaryCall<_v5api_ObliterateParams__Output, _v5api_ObliterateResponse>;
  
  RawValues: grpc.handleServerStreamingCall<_v5api_RawValuesParams__Output, _v5api_RawValuesResponse>;
  
  SQLQuery: grpc.handleServerStreamingCall<_v5api_SQLQueryParams__Output, _v5api_SQLQueryResponse>;
  
  SetStreamAnnotations: grpc.handleUnaryCall<_v5api_SetStreamAnnotationsParams__Output, _v5api_SetStreamAnnotationsResponse>;
  
  SetStreamTags: grpc.handleUnaryCall<_v5api_SetStreamTagsParams__Output, _v5api_SetStreamTagsResponse>;
  
  StreamInfo: grpc.handleUnaryCall<_v5api_StreamInfoParams__Output, _v5api_StreamInfoResponse>;
  
  Subscribe: grpc.handleBidiStreamingCall<_v5api_SubscriptionUpdate__Output, _v5api_SubscriptionResp>;
  
  Windows: grpc.handleServerStreamingCall<_v5api_WindowsParams__Output, _v5api_WindowsResponse>;
  
}

export interface BTrDBDefinition extends grpc.ServiceDefinition {
  AlignedWindows: MethodDefinition<_v5api_AlignedWindowsParams, _v5api_AlignedWindowsResponse, _v5api_AlignedWindowsParams__Output, _v5api_AlignedWindowsResponse__Output>
  ArrowAlignedWindows: MethodDefinition<_v5api_AlignedWindowsParams, _v5api_ArrowAlignedWindowsResponse, _v5api_AlignedWindowsParams__Output, _v5api_ArrowAlignedWindowsResponse__Output>
  ArrowInsert: MethodDefinition<_v5api_ArrowInsertParams, _v5api_InsertResponse, _v5api_ArrowInsertParams__Output, _v5api_InsertResponse__Output>
  ArrowMultiValues: MethodDefinition<_v5api_ArrowMultiValuesParams, _v5api_ArrowMultiValuesResponse, _v5api_ArrowMultiValuesParams__Output, _v5api_ArrowMultiValuesResponse__Output>
  ArrowRawValues: MethodDefinition<_v5api_ArrowRawValuesParams, _v5api_ArrowRawValuesResponse, _v5api_ArrowRawValuesParams__Output, _v5api_ArrowRawValuesResponse__Output>
  ArrowWindows: MethodDefinition<_v5api_WindowsParams, _v5api_ArrowWindowsResponse, _v5api_WindowsParams__Output, _v5api_ArrowWindowsResponse__Output>
  Changes: MethodDefinition<_v5api_ChangesParams, _v5api_ChangesResponse, _v5api_ChangesParams__Output, _v5api_ChangesResponse__Output>
  Create: MethodDefinition<_v5api_CreateParams, _v5api_CreateResponse, _v5api_CreateParams__Output, _v5api_CreateResponse__Output>
  Delete: MethodDefinition<_v5api_DeleteParams, _v5api_DeleteResponse, _v5api_DeleteParams__Output, _v5api_DeleteResponse__Output>
  FaultInject: MethodDefinition<_v5api_FaultInjectParams, _v5api_FaultInjectResponse, _v5api_FaultInjectParams__Output, _v5api_FaultInjectResponse__Output>
  Flush: MethodDefinition<_v5api_FlushParams, _v5api_FlushResponse, _v5api_FlushParams__Output, _v5api_FlushResponse__Output>
  GenerateCSV: MethodDefinition<_v5api_GenerateCSVParams, _v5api_GenerateCSVResponse, _v5api_GenerateCSVParams__Output, _v5api_GenerateCSVResponse__Output>
  GetMetadataUsage: MethodDefinition<_v5api_MetadataUsageParams, _v5api_MetadataUsageResponse, _v5api_MetadataUsageParams__Output, _v5api_MetadataUsageResponse__Output>
  Info: MethodDefinition<_v5api_InfoParams, _v5api_InfoResponse, _v5api_InfoParams__Output, _v5api_InfoResponse__Output>
  Insert: MethodDefinition<_v5api_InsertParams, _v5api_InsertResponse, _v5api_InsertParams__Output, _v5api_InsertResponse__Output>
  ListCollections: MethodDefinition<_v5api_ListCollectionsParams, _v5api_ListCollectionsResponse, _v5api_ListCollectionsParams__Output, _v5api_ListCollectionsResponse__Output>
  LookupStreams: MethodDefinition<_v5api_LookupStreamsParams, _v5api_LookupStreamsResponse, _v5api_LookupStreamsParams__Output, _v5api_LookupStreamsResponse__Output>
  Nearest: MethodDefinition<_v5api_NearestParams, _v5api_NearestResponse, _v5api_NearestParams__Output, _v5api_NearestResponse__Output>
  Obliterate: MethodDefinition<_v5api_ObliterateParams, _v5api_ObliterateResponse, _v5api_ObliterateParams__Output, _v5api_ObliterateResponse__Output>
  RawValues: MethodDefinition<_v5api_RawValuesParams, _v5api_RawValuesResponse, _v5api_RawValuesParams__Output, _v5api_RawValuesResponse__Output>
  SQLQuery: MethodDefinition<_v5api_SQLQueryParams, _v5api_SQLQueryResponse, _v5api_SQLQueryParams__Output, _v5api_SQLQueryResponse__Output>
  SetStreamAnnotations: MethodDefinition<_v5api_SetStreamAnnotationsParams, _v5api_SetStreamAnnotationsResponse, _v5api_SetStreamAnnotationsParams__Output, _v5api_SetStreamAnnotationsResponse__Output>
  SetStreamTags: MethodDefinition<_v5api_SetStreamTagsParams, _v5api_SetStreamTagsResponse, _v5api_SetStreamTagsParams__Output, _v5api_SetStreamTagsResponse__Output>
  StreamInfo: MethodDefinition<_v5api_StreamInfoParams, _v5api_StreamInfoResponse, _v5api_StreamInfoParams__Output, _v5api_StreamInfoResponse__Output>
  Subscribe: MethodDefinition<_v5api_SubscriptionUpdate, _v5api_SubscriptionResp, _v5api_SubscriptionUpdate__Output, _v5api_SubscriptionResp__Output>
  Windows: MethodDefinition<_v5api_WindowsParams, _v5api_WindowsResponse, _v5api_WindowsParams__Output, _v5api_WindowsResponse__Output>
}
