; Tags for TypeScript and TSX.
(class_declaration
  name: (type_identifier) @name) @definition.class

(class_declaration
  name: (type_identifier) @name
  (class_heritage (extends_clause value: (identifier) @base))) @definition.class

(abstract_class_declaration
  name: (type_identifier) @name) @definition.class

(interface_declaration
  name: (type_identifier) @name) @definition.class

(function_declaration
  name: (identifier) @name) @definition.function

(method_definition
  name: (property_identifier) @name) @definition.method

(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression)])) @definition.function

(call_expression
  function: [(identifier) (member_expression)] @callee) @reference.call

(new_expression
  constructor: [(identifier) (member_expression)] @callee) @reference.call

(import_statement
  source: (string (string_fragment) @import.source)) @import
