module {
  module {
  fu