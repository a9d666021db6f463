import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AlignedWindowsParams as _v5api_AlignedWindowsParams, AlignedWindowsParams__Output as _v5api_AlignedWindowsParams__Output } from './v5api/AlignedWindowsParams.js';
import type { AlignedWindowsResponse as _v5api_AlignedWindowsResponse, AlignedWindowsResponse__Output as _v5api_AlignedWindowsResponse__Output } from './v5api/AlignedWindowsResponse.js';
import type { ArrowAlignedWindowsResponse as _v5api_ArrowAlignedWindowsResponse, ArrowAlignedWindowsResponse__Output as _v5api_ArrowAlignedWindowsResponse__Output } from './v5api/ArrowAlignedWindowsResponse.js';
import type { ArrowInsertParams as _v5api_ArrowInsertParams, ArrowInsertParams__Output as _v5api_ArrowInsertParams__Output } from './v5api/ArrowInsertParams.js';
import type { ArrowMultiValuesParams as _v5api_ArrowMultiValuesParams, ArrowMultiValuesParams__Output as _v5api_ArrowMultiValuesParams__Output } from './v5api/ArrowMultiValuesParams.js';
import type { ArrowMultiValuesResponse as _v5api_ArrowMultiValuesResponse, ArrowMultiValuesResponse__Output as _v5api_ArrowMultiValuesResponse__Output } from './v5api/ArrowMultiValuesResponse.js';
import type { ArrowRawValuesParams as _v5api_ArrowRawValuesParams, ArrowRawValuesParams__Output as _v5api_ArrowRawValuesParams__Output } from './v5api/ArrowRawValuesParams.js';
import type { ArrowRawValuesResponse as _v5api_ArrowRawValuesResponse, ArrowRawValuesResponse__Output as _v5api_ArrowRawValuesResponse__Output } from './v5api/ArrowRawValuesResponse.js';
import type { ArrowWindowsResponse as _v5api_ArrowWindowsResponse, ArrowWindowsResponse__Output as _v5api_ArrowWindowsResponse__Output } from './v5api/ArrowWindowsResponse.js';
import type { BTrDBClient as _v5api_BTrDBClient, BTrDBDefinition as _v5api_BTrDBDefinition } from './v5api/BTrDB.js';
import type { ChangedRange as _v5api_ChangedRange, ChangedRange__Output as _v5api_ChangedRange__Output } from './v5api/ChangedRange.js';
import type { ChangesParams as _v5api_ChangesParams, ChangesParams__Output as _v5api_ChangesParams__Output } from './v5api/ChangesParams.js';
import type { ChangesResponse as _v5api_ChangesResponse, ChangesResponse__Output as _v5api_ChangesResponse__Output } from './v5api/ChangesResponse.js';
import type { CreateParams as _v5api_CreateParams, CreateParams__Output as _v5api_CreateParams__Output } from './v5api/CreateParams.js';
import type { CreateResponse as _v5api_CreateResponse, CreateResponse__Output as _v5api_CreateResponse__Output } from './v5api/CreateResponse.js';
import type { DeleteParams as _v5api_DeleteParams, DeleteParams__Output as _v5api_DeleteParams__Output } from './v5api/DeleteParams.js';
import type { DeleteResponse as _v5api_DeleteResponse, DeleteResponse__Output as _v5api_DeleteResponse__Output } from './v5api/DeleteResponse.js';
import type { FaultInjectParams as _v5api_FaultInjectParams, FaultInjectParams__Output as _v5api_FaultInjectParams__Output } from './v5api/FaultInjectParams.js';
import type { FaultInjectResponse as _v5api_FaultInjectResponse, FaultInjectResponse__Output as _v5api_FaultInjectResponse__Output } from './v5api/FaultInjectResponse.js';
import type { FlushParams as _v5api_FlushParams, FlushParams__Output as _v5api_FlushParams__Output } from './v5api/FlushParams.js';
import type { FlushResponse as _v5api_FlushResponse, FlushResponse__Output as _v5api_FlushResponse__Output } from './v5api/FlushResponse.js';
import type { GenerateCSVParams as _v5api_GenerateCSVParams, GenerateCSVParams__Output as _v5api_GenerateCSVParams__Output } from './v5api/GenerateCSVParams.js';
import type { GenerateCSVResponse as _v5api_GenerateCSVResponse, GenerateCSVResponse__Output as _v5api_GenerateCSVResponse__Output } from './v5api/GenerateCSVResponse.js';
import type { GetCompactionConfigParams as _v5api_GetCompactionConfigParams, GetCompactionConfigParams__Output as _v5api_GetCompactionConfigParams__Output } from './v5api/GetCompactionConfigParams.js';
import type { GetCompactionConfigResponse as _v5api_GetCompactionConfigResponse, GetCompactionConfigResponse__Output as _v5api_GetCompactionConfigResponse__Output } from './v5api/GetCompactionConfigResponse.js';
import type { InfoParams as _v5api_InfoParams, InfoParams__Output as _v5api_InfoParams__Output } from './v5api/InfoParams.js';
import type { InfoResponse as _v5api_InfoResponse, InfoResponse__Output as _v5api_InfoResponse__Output } from './v5api/InfoResponse.js';
import type { InsertParams as _v5api_InsertParams, InsertParams__Output as _v5api_InsertParams__Output } from './v5api/InsertParams.js';
import type { InsertResponse as _v5api_InsertResponse, InsertResponse__Output as _v5api_InsertResponse__Output } from './v5api/InsertResponse.js';
import type { KeyCount as _v5api_KeyCount, KeyCount__Output as _v5api_KeyCount__Output } from './v5api/KeyCount.js';
import type { KeyOptValue as _v5api_KeyOptValue, KeyOptValue__Output as _v5api_KeyOptValue__Output } from './v5api/KeyOptValue.js';
import type { KeyValue as _v5api_KeyValue, KeyValue__Output as _v5api_KeyValue__Output } from './v5api/KeyValue.js';
import type { ListCollectionsParams as _v5api_ListCollectionsParams, ListCollectionsParams__Output as _v5api_ListCollectionsParams__Output } from './v5api/ListCollectionsParams.js';
import type { ListCollectionsResponse as _v5api_ListCollectionsResponse, ListCollectionsResponse__Output as _v5api_ListCollectionsResponse__Output } from './v5api/ListCollectionsResponse.js';
import type { LookupStreamsParams as _v5api_LookupStreamsParams, LookupStreamsParams__Output as _v5api_LookupStreamsParams__Output } from './v5api/LookupStreamsParams.js';
import type { LookupStreamsResponse as _v5api_LookupStreamsResponse, LookupStreamsResponse__Output as _v5api_LookupStreamsResponse__Output } from './v5api/LookupStreamsResponse.js';
import type { Mash as _v5api_Mash, Mash__Output as _v5api_Mash__Output } from './v5api/Mash.js';
import type { Member as _v5api_Member, Member__Output as _v5api_Member__Output } from './v5api/Member.js';
import type { MetadataUsageParams as _v5api_MetadataUsageParams, MetadataUsageParams__Output as _v5api_MetadataUsageParams__Output } from './v5api/MetadataUsageParams.js';
import type { MetadataUsageResponse as _v5api_MetadataUsageResponse, MetadataUsageResponse__Output as _v5api_MetadataUsageResponse__Output } from './v5api/MetadataUsageResponse.js';
import type { NearestParams as _v5api_NearestParams, NearestParams__Output as _v5api_NearestParams__Output } from './v5api/NearestParams.js';
import type { NearestResponse as _v5api_NearestResponse, NearestResponse__Output as _v5api_NearestResponse__Output } from './v5api/NearestResponse.js';
import type { ObliterateParams as _v5api_ObliterateParams, ObliterateParams__Output as _v5api_ObliterateParams__Output } from './v5api/ObliterateParams.js';
import type { ObliterateResponse as _v5api_ObliterateResponse, ObliterateResponse__Output as _v5api_ObliterateResponse__Output } from './v5api/ObliterateResponse.js';
import type { OptValue as _v5api_OptValue, OptValue__Output as _v5api_OptValue__Output } from './v5api/OptValue.js';
import type { ProxyInfo as _v5api_ProxyInfo, ProxyInfo__Output as _v5api_ProxyInfo__Output } from './v5api/ProxyInfo.js';
import type { RawPoint as _v5api_RawPoint, RawPoint__Output as _v5api_RawPoint__Output } from './v5api/RawPoint.js';
import type { RawPointVec as _v5api_RawPointVec, RawPointVec__Output as _v5api_RawPointVec__Output } from './v5api/RawPointVec.js';
import type { RawValuesParams as _v5api_RawValuesParams, RawValuesParams__Output as _v5api_RawValuesParams__Output } from './v5api/RawValuesParams.js';
import type { RawValuesResponse as _v5api_RawValuesResponse, RawValuesResponse__Output as _v5api_RawValuesResponse__Output } from './v5api/RawValuesResponse.js';
import type { ReducedResolutionRange as _v5api_ReducedResolutionRange, ReducedResolutionRange__Output as _v5api_ReducedResolutionRange__Output } from './v5api/ReducedResolutionRange.js';
import type { Role as _v5api_Role, Role__Output as _v5api_Role__Output } from './v5api/Role.js';
import type { RoundSpec as _v5api_RoundSpec, RoundSpec__Output as _v5api_RoundSpec__Output } from './v5api/RoundSpec.js';
import type { SQLQueryParams as _v5api_SQLQueryParams, SQLQueryParams__Output as _v5api_SQLQueryParams__Output } from './v5api/SQLQueryParams.js';
import type { SQLQueryResponse as _v5api_SQLQueryResponse, SQLQueryResponse__Output as _v5api_SQLQueryResponse__Output } from './v5api/SQLQueryResponse.js';
import type { SetCompactionConfigParams as _v5api_SetCompactionConfigParams, SetCompactionConfigParams__Output as _v5api_SetCompactionConfigParams__Output } from './v5api/SetCompactionConfigParams.js';
import type { SetCompactionConfigResponse as _v5api_SetCompactionConfigResponse, SetCompactionConfigResponse__Output as _v5api_SetCompactionConfigResponse__Output } from './v5api/SetCompactionConfigResponse.js';
import type { SetStreamAnnotationsParams as _v5api_SetStreamAnnotationsParams, SetStreamAnnotationsParams__Output as _v5api_SetStreamAnnotationsParams__Output } from './v5api/SetStreamAnnotationsParams.js';
import type { SetStreamAnnotationsResponse as _v5api_SetStreamAnnotationsResponse, SetStreamAnnotationsResponse__Output as _v5api_SetStreamAnnotationsResponse__Output } from './v5api/SetStreamAnnotationsResponse.js';
import type { SetStreamTagsParams as _v5api_SetStreamTagsParams, SetStreamTagsParams__Output as _v5api_SetStreamTagsParams__Output } from './v5api/SetStreamTagsParams.js';
import type { SetStreamTagsResponse as _v5api_SetStreamTagsResponse, SetStreamTagsResponse__Output as _v5api_SetStreamTagsResponse__Output } from './v5api/SetStreamTagsResponse.js';
import type { StatPoint as _v5api_StatPoint, StatPoint__Output as _v5api_StatPoint__Output } from './v5api/StatPoint.js';
import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from './v5api/Status.js';
import type { StreamCSVConfig as _v5api_StreamCSVConfig, StreamCSVConfig__Output as _v5api_StreamCSVConfig__Output } from './v5api/StreamCSVConfig.js';
import type { StreamDescriptor as _v5api_StreamDescriptor, StreamDescriptor__Output as _v5api_StreamDescriptor__Output } from './v5api/StreamDescriptor.js';
import type { StreamInfoParams as _v5api_StreamInfoParams, StreamInfoParams__Output as _v5api_StreamInfoParams__Output } from './v5api/StreamInfoParams.js';
import type { StreamInfoResponse as _v5api_StreamInfoResponse, StreamInfoResponse__Output as _v5api_StreamInfoResponse__Output } from './v5api/StreamInfoResponse.js';
import type { SubscriptionResp as _v5api_SubscriptionResp, SubscriptionResp__Output as _v5api_SubscriptionResp__Output } from './v5api/SubscriptionResp.js';
import type { SubscriptionUpdate as _v5api_SubscriptionUpdate, SubscriptionUpdate__Output as _v5api_SubscriptionUpdate__Output } from './v5api/SubscriptionUpdate.js';
import type { WindowsParams as _v5api_WindowsParams, WindowsParams__Output as _v5api_WindowsParams__Output } from './v5api/WindowsParams.js';
import type { WindowsResponse as _v5api_WindowsResponse, WindowsResponse__Output as _v5api_WindowsResponse__Output } from './v5api/WindowsResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  v5api: {
    AlignedWindowsParams: MessageTypeDefinition<_v5api_AlignedWindowsParams, _v5api_AlignedWindowsParams__Output>
    AlignedWindowsResponse: MessageTypeDefinition<_v5api_AlignedWindowsResponse, _v5api_AlignedWindowsResponse__Output>
    ArrowAlignedWindowsResponse: MessageTypeDefinition<_v5api_ArrowAlignedWindowsResponse, _v5api_ArrowAlignedWindowsResponse__Output>
    ArrowInsertParams: MessageTypeDefinition<_v5api_ArrowInsertParams, _v5api_ArrowInsertParams__Output>
    ArrowMultiValuesParams: MessageTypeDefinition<_v5api_ArrowMultiValuesParams, _v5api_ArrowMultiValuesParams__Output>
    ArrowMultiValuesResponse: MessageTypeDefinition<_v5api_ArrowMultiValuesResponse, _v5api_ArrowMultiValuesResponse__Output>
    ArrowRawValuesParams: MessageTypeDefinition<_v5api_ArrowRawValuesParams, _v5api_ArrowRawValuesParams__Output>
    ArrowRawValuesResponse: MessageTypeDefinition<_v5api_ArrowRawValuesResponse, _v5api_ArrowRawValuesResponse__Output>
    ArrowWindowsResponse: MessageTypeDefinition<_v5api_ArrowWindowsResponse, _v5api_ArrowWindowsResponse__Output>
    BTrDB: SubtypeConstructor<typeof grpc.Client, _v5api_BTrDBClient> & { service: _v5api_BTrDBDefinition }
    ChangedRange: MessageTypeDefinition<_v5api_ChangedRange, _v5api_ChangedRange__Output>
    ChangesParams: MessageTypeDefinition<_v5api_ChangesParams, _v5api_ChangesParams__Output>
    ChangesResponse: MessageTypeDefinition<_v5api_ChangesResponse, _v5api_ChangesResponse__Output>
    CreateParams: MessageTypeDefinition<_v5api_CreateParams, _v5api_CreateParams__Output>
    CreateResponse: MessageTypeDefinition<_v5api_CreateResponse, _v5api_CreateResponse__Output>
    DeleteParams: MessageTypeDefinition<_v5api_DeleteParams, _v5api_DeleteParams__Output>
    DeleteResponse: MessageTypeDefinition<_v5api_DeleteResponse, _v5api_DeleteResponse__Output>
    FaultInjectParams: MessageTypeDefinition<_v5api_FaultInjectParams, _v5api_FaultInjectParams__Output>
    FaultInjectResponse: MessageTypeDefinition<_v5api_FaultInjectResponse, _v5api_FaultInjectResponse__Output>
    FlushParams: MessageTypeDefinition<_v5api_FlushParams, _v5api_FlushParams__Output>
    FlushResponse: MessageTypeDefinition<_v5api_FlushResponse, _v5api_FlushResponse__Output>
    GenerateCSVParams: MessageTypeDefinition<_v5api_GenerateCSVParams, _v5api_GenerateCSVParams__Output>
    GenerateCSVResponse: MessageTypeDefinition<_v5api_GenerateCSVResponse, _v5api_GenerateCSVResponse__Output>
    GetCompactionConfigParams: MessageTypeDefinition<_v5api_GetCompactionConfigParams, _v5api_GetCompactionConfigParams__Output>
    GetCompactionConfigResponse: MessageTypeDefinition<_v5api_GetCompactionConfigResponse, _v5api_GetCompactionConfigResponse__Output>
    InfoParams: MessageTypeDefinition<_v5api_InfoParams, _v5api_InfoParams__Output>
    InfoResponse: MessageTypeDefinition<_v5api_InfoResponse, _v5api_InfoResponse__Output>
    InsertParams: MessageTypeDefinition<_v5api_InsertParams, _v5api_InsertParams__Output>
    InsertResponse: MessageTypeDefinition<_v5api_InsertResponse, _v5api_InsertResponse__Output>
    KeyCount: MessageTypeDefinition<_v5api_KeyCount, _v5api_KeyCount__Output>
    KeyOptValue: MessageTypeDefinition<_v5api_KeyOptValue, _v5api_KeyOptValue__Output>
    KeyValue: MessageTypeDefinition<_v5api_KeyValue, _v5api_KeyValue__Output>
    ListCollectionsParams: MessageTypeDefinition<_v5api_ListCollectionsParams, _v5api_ListCollectionsParams__Output>
    ListCollectionsResponse: MessageTypeDefinition<_v5api_ListCollectionsResponse, _v5api_ListCollectionsResponse__Output>
    LookupStreamsParams: MessageTypeDefinition<_v5api_LookupStreamsParams, _v5api_LookupStreamsParams__Output>
    LookupStreamsResponse: MessageTypeDefinition<_v5api_LookupStreamsResponse, _v5api_LookupStreamsResponse__Output>
    Mash: MessageTypeDefinition<_v5api_Mash, _v5api_Mash__Output>
    Member: MessageTypeDefinition<_v5api_Member, _v5api_Member__Output>
    MergePolicy: EnumTypeDefinition
    MetadataUsageParams: MessageTypeDefinition<_v5api_MetadataUsageParams, _v5api_MetadataUsageParams__Output>
    MetadataUsageResponse: MessageTypeDefinition<_v5api_MetadataUsageResponse, _v5api_MetadataUsageResponse__Output>
    NearestParams: MessageTypeDefinition<_v5api_NearestParams, _v5api_NearestParams__Output>
    NearestResponse: MessageTypeDefinition<_v5api_NearestResponse, _v5api_NearestResponse__Output>
    ObliterateParams: MessageTypeDefinition<_v5api_ObliterateParams, _v5api_ObliterateParams__Output>
    ObliterateResponse: MessageTypeDefinition<_v5api_ObliterateResponse, _v5api_ObliterateResponse__Output>
    OptValue: MessageTypeDefinition<_v5api_OptValue, _v5api_OptValue__Output>
    ProxyInfo: MessageTypeDefinition<_v5api_ProxyInfo, _v5api_ProxyInfo__Output>
    RawPoint: MessageTypeDefinition<_v5api_RawPoint, _v5api_RawPoint__Output>
    RawPointVec: MessageTypeDefinition<_v5api_RawPointVec, _v5api_RawPointVec__Output>
    RawValuesParams: MessageTypeDefinition<_v5api_RawValuesParams, _v5api_RawValuesParams__Output>
    RawValuesResponse: MessageTypeDefinition<_v5api_RawValuesResponse, _v5api_RawValuesResponse__Output>
    ReducedResolutionRange: MessageTypeDefinition<_v5api_ReducedResolutionRange, _v5api_ReducedResolutionRange__Output>
    Role: MessageTypeDefinition<_v5api_Role, _v5api_Role__Output>
    RoundSpec: MessageTypeDefinition<_v5api_RoundSpec, _v5api_RoundSpec__Output>
    SQLQueryParams: MessageTypeDefinition<_v5api_SQLQueryParams, _v5api_SQLQueryParams__Output>
    SQLQueryResponse: MessageTypeDefinition<_v5api_SQLQueryResponse, _v5api_SQLQueryResponse__Output>
    SetCompactionConfigParams: MessageTypeDefinition<_v5api_SetCompactionConfigParams, _v5api_SetCompactionConfigParams__Output>
    SetCompactionConfigResponse: MessageTypeDefinition<_v5api_SetCompactionConfigResponse, _v5api_SetCompactionConfigResponse__Output>
    SetStreamAnnotationsParams: MessageTypeDefinition<_v5api_SetStreamAnnotationsParams, _v5api_SetStreamAnnotationsParams__Output>
    SetStreamAnnotationsResponse: MessageTypeDefinition<_v5api_SetStreamAnnotationsResponse, _v5api_SetStreamAnnotationsResponse__Output>
    SetStreamTagsParams: MessageTypeDefinition<_v5api_SetStreamTagsParams, _v5api_SetStreamTagsParams__Output>
    SetStreamTagsResponse: MessageTypeDefinition<_v5api_SetStreamTagsResponse, _v5api_SetStreamTagsResponse__Output>
    StatPoint: MessageTypeDefinition<_v5api_StatPoint, _v5api_StatPoint__Output>
    Status: MessageTypeDefinition<_v5api_Status, _v5api_Status__Output>
    StreamCSVConfig: MessageTypeDefinition<_v5api_StreamCSVConfig, _v5api_StreamCSVConfig__Output>
    StreamDescriptor: MessageTypeDefinition<_v5api_StreamDescriptor, _v5api_StreamDescriptor__Output>
    StreamInfoParams: MessageTypeDefinition<_v5api_StreamInfoParams, _v5api_StreamInfoParams__Output>
    StreamInfoResponse: MessageTypeDefinition<_v5api_StreamInfoResponse, _v5api_StreamInfoResponse__Output>
    SubscriptionResp: MessageTypeDefinition<_v5api_SubscriptionResp, _v5api_SubscriptionResp__Output>
    SubscriptionUpdate: MessageTypeDefinition<_v5api_SubscriptionUpdate, _v5api_SubscriptionUpdate__Output>
    SubscriptionUpdateOp: EnumTypeDefinition
    WindowsParams: MessageTypeDefinition<_v5api_WindowsParams, _v5api_WindowsParams__Output>
    WindowsResponse: MessageTypeDefinition<_v5api_WindowsResponse, _v5api_WindowsResponse__Output>
  }
}

