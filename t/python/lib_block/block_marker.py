WHERE = 'lib_block'
