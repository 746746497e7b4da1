export default function Home() {
  return <main><h1>Inkstone</h1></main>;
}
