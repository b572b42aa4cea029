export { RobustZDetector } from './robustZ';
export { HoltWintersDetector, type HoltWintersOptions } from './holtWinters';
export { PcaDetector } from './pca';
export { RandomDetector } from './random';
export { symmetricEigen, type Eigen } from './jacobi';
