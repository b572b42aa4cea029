/**
 * HTCondor job event taxonomy: every user/job event log event type as it appears in the `MyType`
 * attribute of the event ClassAd (what FIFE's logstash indexes), with HTCondor's event number
 * (`EventTypeNumber`, the ULogEventNumber enum), and the default feature set GridSentinel models.
 */

export interface HTCondorEventType {
  /** `MyType` value of the event ClassAd. */
  myType: string;
  /** `EventTypeNumber` (ULogEventNumber). */
  number: number;
  description: string;
}

// Numbers follow HTCondor's ULogEventNumber enum; 39 (ULOG_NONE) is not an event.
export const HTCONDOR_EVENT_TYPES: readonly HTCondorEventType[] = [
  { myType: 'SubmitEvent', number: 0, description: 'job submitted to the schedd queue' },
  { myType: 'ExecuteEvent', number: 1, description: 'job started running on an execute slot' },
  { myType: 'ExecutableErrorEvent', number: 2, description: 'executable could not be run' },
  { myType: 'CheckpointedEvent', number: 3, description: 'job checkpointed' },
  { myType: 'JobEvictedEvent', number: 4, description: 'job evicted from its slot (preempted, vacated, drained)' },
  { myType: 'JobTerminatedEvent', number: 5, description: 'job finished (any exit code)' },
  { myType: 'JobImageSizeEvent', number: 6, description: 'job image size / memory usage updated' },
  { myType: 'ShadowExceptionEvent', number: 7, description: 'the condor_shadow hit an exception' },
  { myType: 'GenericEvent', number: 8, description: 'free-form event written by a tool' },
  { myType: 'JobAbortedEvent', number: 9, description: 'job removed (condor_rm or policy)' },
  { myType: 'JobSuspendedEvent', number: 10, description: 'job suspended on its slot' },
  { myType: 'JobUnsuspendedEvent', number: 11, description: 'suspended job resumed' },
  { myType: 'JobHeldEvent', number: 12, description: 'job put on hold (user, policy or error)' },
  { myType: 'JobReleaseEvent', number: 13, description: 'held job released back to idle' },
  { myType: 'NodeExecuteEvent', number: 14, description: 'parallel-universe node started' },
  { myType: 'NodeTerminatedEvent', number: 15, description: 'parallel-universe node finished' },
  { myType: 'PostScriptTerminatedEvent', number: 16, description: 'DAGMan POST script finished' },
  { myType: 'GlobusSubmitEvent', number: 17, description: 'obsolete Globus GRAM submit' },
  { myType: 'GlobusSubmitFailedEvent', number: 18, description: 'obsolete Globus GRAM submit failure' },
  { myType: 'GlobusResourceUpEvent', number: 19, description: 'obsolete Globus resource up' },
  { myType: 'GlobusResourceDownEvent', number: 20, description: 'obsolete Globus resource down' },
  { myType: 'RemoteErrorEvent', number: 21, description: 'error reported by the starter on the execute host' },
  { myType: 'JobDisconnectedEvent', number: 22, description: 'shadow lost its connection to the starter' },
  { myType: 'JobReconnectedEvent', number: 23, description: 'shadow reconnected to a disconnected job' },
  {
    myType: 'JobReconnectFailedEvent',
    number: 24,
    description: 'reconnect impossible (lease expired); job rescheduled',
  },
  { myType: 'GridResourceUpEvent', number: 25, description: 'grid-universe resource reachable again' },
  { myType: 'GridResourceDownEvent', number: 26, description: 'grid-universe resource unreachable' },
  { myType: 'GridSubmitEvent', number: 27, description: 'job submitted to a remote grid resource' },
  { myType: 'JobAdInformationEvent', number: 28, description: 'extra job ad attributes logged' },
  { myType: 'JobStatusUnknownEvent', number: 29, description: 'grid job status unknown' },
  { myType: 'JobStatusKnownEvent', number: 30, description: 'grid job status known again' },
  { myType: 'JobStageInEvent', number: 31, description: 'job staging input files' },
  { myType: 'JobStageOutEvent', number: 32, description: 'job staging output files' },
  { myType: 'AttributeUpdateEvent', number: 33, description: 'job attribute changed' },
  { myType: 'PreSkipEvent', number: 34, description: 'DAGMan PRE script asked to skip the node' },
  { myType: 'ClusterSubmitEvent', number: 35, description: 'late-materialization cluster submitted' },
  { myType: 'ClusterRemoveEvent', number: 36, description: 'late-materialization cluster removed' },
  { myType: 'FactoryPausedEvent', number: 37, description: 'job factory paused' },
  { myType: 'FactoryResumedEvent', number: 38, description: 'job factory resumed' },
  { myType: 'FileTransferEvent', number: 40, description: 'input/output file transfer queued, started or finished' },
  { myType: 'ReserveSpaceEvent', number: 41, description: 'disk space reserved for a transfer' },
  { myType: 'ReleaseSpaceEvent', number: 42, description: 'reserved disk space released' },
  { myType: 'FileCompleteEvent', number: 43, description: 'file transfer into the reuse cache completed' },
  { myType: 'FileUsedEvent', number: 44, description: 'file from the reuse cache used' },
  { myType: 'FileRemovedEvent', number: 45, description: 'file removed from the reuse cache' },
  { myType: 'DataflowJobSkippedEvent', number: 46, description: 'dataflow job skipped (outputs newer than inputs)' },
];

const BY_NAME = new Map(HTCONDOR_EVENT_TYPES.map((t) => [t.myType, t]));

/** `EventTypeNumber` for a `MyType`, or undefined when HTCondor has no such event. */
export function eventTypeNumber(myType: string): number | undefined {
  return BY_NAME.get(myType)?.number;
}

export interface FeatureDefinition {
  /** Column name in feature matrices and CSVs (the `MyType` itself, so it matches ES terms). */
  name: string;
  /** `MyType` counted per step. */
  eventType: string;
  /** Why this count moves when the grid is in trouble. */
  why: string;
}

/**
 * The 13 hourly event counts the model sees by default. Rare or obsolete types (Globus, grid
 * universe, DAGMan, checkpoint, file-reuse) are left out: on a glidein pool like GPGrid they are
 * near zero all the time and would only add noise dimensions. JobUnsuspendedEvent is left out
 * because it mirrors JobSuspendedEvent one-for-one and adds no information.
 */
export const DEFAULT_FEATURES: readonly FeatureDefinition[] = [
  {
    name: 'SubmitEvent',
    eventType: 'SubmitEvent',
    why: 'Demand side: a schedd that stops accepting submissions drops to zero, then catches up in a burst.',
  },
  {
    name: 'ExecuteEvent',
    eventType: 'ExecuteEvent',
    why: 'Supply side: starts fall when worker nodes vanish or the negotiator/schedd stalls, and spike on recovery.',
  },
  {
    name: 'JobTerminatedEvent',
    eventType: 'JobTerminatedEvent',
    why: 'Throughput: completions track running jobs; a drop means lost nodes or a schedd that stopped logging.',
  },
  {
    name: 'JobAbortedEvent',
    eventType: 'JobAbortedEvent',
    why: 'Mass condor_rm follows broken submissions and held-job waves; users clean up what cannot run.',
  },
  {
    name: 'JobEvictedEvent',
    eventType: 'JobEvictedEvent',
    why: 'Nodes shutting down or draining evict their jobs; a surge is the first sign of a worker-node collapse.',
  },
  {
    name: 'JobHeldEvent',
    eventType: 'JobHeldEvent',
    why: 'Holds come from policy (memory/disk over request) and transfer errors; waves point at one experiment or a storage problem.',
  },
  {
    name: 'JobReleaseEvent',
    eventType: 'JobReleaseEvent',
    why: 'Releases answer holds; a release burst after a hold wave confirms the wave, a missing one means jobs stay stuck.',
  },
  {
    name: 'JobImageSizeEvent',
    eventType: 'JobImageSizeEvent',
    why: "Logged when a job's memory grows; a surge means jobs ballooning, usually just before memory holds.",
  },
  {
    name: 'JobDisconnectedEvent',
    eventType: 'JobDisconnectedEvent',
    why: 'Shadow lost the starter: network trouble between submit and execute hosts or dying worker nodes.',
  },
  {
    name: 'JobReconnectedEvent',
    eventType: 'JobReconnectedEvent',
    why: 'Pairs with disconnects; many disconnects with matching reconnects is a transient network storm.',
  },
  {
    name: 'JobReconnectFailedEvent',
    eventType: 'JobReconnectFailedEvent',
    why: 'Job lease expired before reconnecting: the execute side is really gone and the work is lost and re-run.',
  },
  {
    name: 'ShadowExceptionEvent',
    eventType: 'ShadowExceptionEvent',
    why: 'Shadow crashes track submit-host trouble (memory, file descriptors, transfer failures) and broken execute nodes.',
  },
  {
    name: 'JobSuspendedEvent',
    eventType: 'JobSuspendedEvent',
    why: 'Normally rare on GPGrid; suspensions appear when execute nodes are overloaded or preemption policy misfires.',
  },
];

export const DEFAULT_FEATURE_NAMES: readonly string[] = DEFAULT_FEATURES.map((f) => f.name);
