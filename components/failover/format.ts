// Capacity and load as the failover pages say them.
export const formatRpm = (rpm: number) => `${rpm.toLocaleString('en-US')} RPM`;

/** "requests/min" with one decimal below 10, none above. */
export const formatLoad = (rpm: number) => `${rpm < 10 ? rpm.toFixed(1) : Math.round(rpm).toLocaleString('en-US')} requests/min`;
