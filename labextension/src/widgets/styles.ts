// Pulled into every widget bundle so esbuild emits <name>.css beside <name>.js (anywidget's _css).
import '@xyflow/react/dist/style.css';
import '../../style/base.css';
