// Shared dependencies Grafana hands out that ship no type declarations; the host only re-exports them.
declare module 'prismjs';
declare module 'react-router-dom';
declare module 'slate';
declare module 'slate-plain-serializer';
declare module 'slate-react';
