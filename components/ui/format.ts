// Times are shown in UTC everywhere, so people in different zones quoting the
// same incident see the same clock.
export const formatUtc = (iso: string, precision: 'minute' | 'second' = 'minute') =>
  `${iso.slice(0, precision === 'second' ? 19 : 16).replace('T', ' ')} UTC`;
